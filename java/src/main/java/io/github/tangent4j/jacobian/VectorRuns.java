package io.github.tangent4j.jacobian;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The parameter Jacobian's scaled runs ({@code out[at + k] = s * in[k]}) stored with the Vector API straight from
 * the registers into the block: one pass over the output, where a product buffer and its copy took two (the
 * buffer's loop and the copy cost about a third more than the copy alone, JFR samples of N = 64, 2026-12-05).
 * The same IEEE products as the scalar loop. Only touched when {@link #ENABLED} is true, so a JVM without the
 * {@code jdk.incubator.vector} module never loads the Vector API.
 */
final class VectorRuns {
    /** Whether the module is in the boot layer and this class links. */
    static final boolean ENABLED = detect();

    private VectorRuns() {
    }

    private static boolean detect() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return false;
        }
        try {
            return Loops.F64.length() > 0;
        } catch (LinkageError e) {
            return false;
        }
    }

    /** F32 elements {@code [at, at + n)} of {@code out} (little endian) = {@code s * in[0 .. n)}. */
    static void scaled(MemorySegment out, long at, float s, float[] in, int n) {
        Loops.scaled32(out, at, s, in, n);
    }

    /** F64 elements {@code [at, at + n)} of {@code out} (little endian) = {@code s * in[0 .. n)}. */
    static void scaled(MemorySegment out, long at, double s, double[] in, int n) {
        Loops.scaled64(out, at, s, in, n);
    }

    /** The loops, in a class of their own so that {@link #detect()} can catch its failure to link. */
    private static final class Loops {
        static final VectorSpecies<Double> F64 = DoubleVector.SPECIES_PREFERRED;
        static final VectorSpecies<Float> F32 = FloatVector.SPECIES_PREFERRED;
        static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
        static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
        static final ValueLayout.OfDouble F64_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(LE);

        static void scaled32(MemorySegment out, long at, float s, float[] in, int n) {
            int k = 0;
            for (int bound = F32.loopBound(n); k < bound; k += F32.length()) {
                FloatVector.fromArray(F32, in, k).mul(s).intoMemorySegment(out, (at + k) * Float.BYTES, LE);
            }
            for (; k < n; k++) {
                out.set(F32_LE, (at + k) * Float.BYTES, s * in[k]);
            }
        }

        static void scaled64(MemorySegment out, long at, double s, double[] in, int n) {
            int k = 0;
            for (int bound = F64.loopBound(n); k < bound; k += F64.length()) {
                DoubleVector.fromArray(F64, in, k).mul(s).intoMemorySegment(out, (at + k) * Double.BYTES, LE);
            }
            for (; k < n; k++) {
                out.set(F64_LE, (at + k) * Double.BYTES, s * in[k]);
            }
        }
    }
}
