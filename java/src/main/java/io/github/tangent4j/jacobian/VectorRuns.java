package io.github.tangent4j.jacobian;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The parameter Jacobian's scaled runs ({@code out[at + k] = s * in[from + k]}) stored with the Vector API
 * straight from the registers into the block (or its stage): one pass over the output, where a product buffer
 * and its copy took two (the buffer's loop and the copy cost about a third more than the copy alone, JFR
 * samples of N = 64, 2026-12-05).
 * The same IEEE products as the scalar loop. Only touched when {@link #ENABLED} is true, so a JVM without the
 * {@code jdk.incubator.vector} module never loads the Vector API.
 */
final class VectorRuns {
    /** Whether the module is in the boot layer and this class links. */
    static final boolean ENABLED = detect();

    private VectorRuns() {
    }

    private static boolean detect() {
        try {
            return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() && Loops.F64.length() > 0;
        } catch (LinkageError e) {
            return false;
        }
    }

    /** The preferred vectors' size in bits, or 0 when the Vector API is not {@link #ENABLED}. */
    static int vectorBits() {
        return ENABLED ? Loops.F32.vectorBitSize() : 0;
    }

    /** F32 elements {@code [at, at + n)} of {@code out} (little endian) = {@code s * in[from .. from + n)}. */
    static void scaled(MemorySegment out, long at, float s, float[] in, int from, int n) {
        Loops.scaled32(out, at, s, in, from, n);
    }

    /** F64 elements {@code [at, at + n)} of {@code out} (little endian) = {@code s * in[from .. from + n)}. */
    static void scaled(MemorySegment out, long at, double s, double[] in, int from, int n) {
        Loops.scaled64(out, at, s, in, from, n);
    }

    /** The loops, in a class of their own so that {@link #detect()} can catch its failure to link. */
    private static final class Loops {
        static final VectorSpecies<Double> F64 = DoubleVector.SPECIES_PREFERRED;
        static final VectorSpecies<Float> F32 = FloatVector.SPECIES_PREFERRED;
        static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

        // One loop with a mask that is all-true but for the last, partial vector (AVX-512 masks its stores at
        // full speed), so no scalar tail.
        static void scaled32(MemorySegment out, long at, float s, float[] in, int from, int n) {
            for (int k = 0; k < n; k += F32.length()) {
                VectorMask<Float> m = F32.indexInRange(k, n);
                FloatVector.fromArray(F32, in, from + k, m).mul(s)
                        .intoMemorySegment(out, (at + k) * Float.BYTES, LE, m);
            }
        }

        static void scaled64(MemorySegment out, long at, double s, double[] in, int from, int n) {
            for (int k = 0; k < n; k += F64.length()) {
                VectorMask<Double> m = F64.indexInRange(k, n);
                DoubleVector.fromArray(F64, in, from + k, m).mul(s)
                        .intoMemorySegment(out, (at + k) * Double.BYTES, LE, m);
            }
        }
    }
}
