package io.github.tangent4j.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API loop behind {@link Finite}: whether a block of little-endian F32 or F64 elements
 * is all finite, without a branch per element. {@code x - x} is 0 for a finite x and NaN for NaN
 * and +-Inf, so one vector of running sums of {@code x - x} is NaN exactly when the block holds a
 * non-finite element. Only touched when {@link #ENABLED} is true, so a JVM without the
 * {@code jdk.incubator.vector} module never loads the Vector API.
 */
final class VectorFinite {
    /** Whether the module is in the boot layer and this class links. */
    static final boolean ENABLED = detect();

    private VectorFinite() {
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

    /** Whether elements {@code [from, to)} of {@code s}, read as {@code dtype} (F32 or F64), are all finite. */
    static boolean allFinite(MemorySegment s, DType dtype, long from, long to) {
        return dtype == DType.F64 ? Loops.allFinite64(s, from, to) : Loops.allFinite32(s, from, to);
    }

    /** The loops, in a class of their own so that {@link #detect()} can catch its failure to link. */
    private static final class Loops {
        static final VectorSpecies<Double> F64 = DoubleVector.SPECIES_PREFERRED;
        static final VectorSpecies<Float> F32 = FloatVector.SPECIES_PREFERRED;
        static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

        static boolean allFinite64(MemorySegment s, long from, long to) {
            DoubleVector acc = DoubleVector.zero(F64);
            long i = from;
            for (long bound = from + F64.loopBound(to - from); i < bound; i += F64.length()) {
                DoubleVector v = DoubleVector.fromMemorySegment(F64, s, i * Double.BYTES, LE);
                acc = acc.add(v.sub(v));
            }
            double tail = 0;
            for (; i < to; i++) {
                double x = s.get(Finite.F64, i * Double.BYTES);
                tail += x - x;
            }
            return !Double.isNaN(acc.reduceLanes(VectorOperators.ADD) + tail);
        }

        static boolean allFinite32(MemorySegment s, long from, long to) {
            FloatVector acc = FloatVector.zero(F32);
            long i = from;
            for (long bound = from + F32.loopBound(to - from); i < bound; i += F32.length()) {
                FloatVector v = FloatVector.fromMemorySegment(F32, s, i * Float.BYTES, LE);
                acc = acc.add(v.sub(v));
            }
            float tail = 0;
            for (; i < to; i++) {
                float x = s.get(Finite.F32, i * Float.BYTES);
                tail += x - x;
            }
            return !Float.isNaN(acc.reduceLanes(VectorOperators.ADD) + tail);
        }
    }
}
