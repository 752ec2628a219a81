package io.github.tangent4j.backend.java;

import io.github.tangent4j.nn.Activation;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API loops for {@link JavaElementwise}, loaded only when {@code jdk.incubator.vector} is present.
 * Each method handles whole vectors and leaves the tail (and functions without a vector form:
 * tanh, erf) to the caller's scalar loop by returning the first index it did not process.
 */
final class VectorElementwise {
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private VectorElementwise() {
    }

    /** x[from..] = value for whole vectors; returns the first index not written. */
    static long fill(boolean f64, MemorySegment x, long n, double value) {
        long i = 0;
        if (f64) {
            DoubleVector v = DoubleVector.broadcast(DS, value);
            for (; i + DS.length() <= n; i += DS.length()) {
                v.intoMemorySegment(x, i * 8, LE);
            }
        } else {
            FloatVector v = FloatVector.broadcast(FS, (float) value);
            for (; i + FS.length() <= n; i += FS.length()) {
                v.intoMemorySegment(x, i * 4, LE);
            }
        }
        return i;
    }

    /** h = phi(z) or phi'(z) for piecewise-linear phi; returns 0 (nothing done) for tanh and erf. */
    static long pointwise(boolean f64, Activation phi, boolean derivative, MemorySegment z, MemorySegment h, long n) {
        if (!phi.isPiecewiseLinear()) {
            return 0;
        }
        double slope = phi.kind() == Activation.Kind.LEAKY_RELU ? phi.slope() : 0;
        long i = 0;
        if (f64) {
            DoubleVector zero = DoubleVector.zero(DS);
            DoubleVector one = DoubleVector.broadcast(DS, 1);
            for (; i + DS.length() <= n; i += DS.length()) {
                DoubleVector x = DoubleVector.fromMemorySegment(DS, z, i * 8, LE);
                VectorMask<Double> pos = x.compare(VectorOperators.GT, 0);
                DoubleVector y = switch (phi.kind()) {
                    case RELU -> derivative ? zero.blend(one, pos) : x.max(zero);
                    case LEAKY_RELU -> derivative ? DoubleVector.broadcast(DS, slope).blend(one, pos)
                            : x.mul(slope).blend(x, pos);
                    case ABS -> derivative ? zero.blend(zero.sub(one), x.compare(VectorOperators.LT, 0)).blend(one, pos)
                            : x.abs();
                    default -> derivative ? one : x;
                };
                y.intoMemorySegment(h, i * 8, LE);
            }
        } else {
            FloatVector zero = FloatVector.zero(FS);
            FloatVector one = FloatVector.broadcast(FS, 1);
            float s = (float) slope;
            for (; i + FS.length() <= n; i += FS.length()) {
                FloatVector x = FloatVector.fromMemorySegment(FS, z, i * 4, LE);
                VectorMask<Float> pos = x.compare(VectorOperators.GT, 0);
                FloatVector y = switch (phi.kind()) {
                    case RELU -> derivative ? zero.blend(one, pos) : x.max(zero);
                    case LEAKY_RELU -> derivative ? FloatVector.broadcast(FS, s).blend(one, pos)
                            : x.mul(s).blend(x, pos);
                    case ABS -> derivative ? zero.blend(zero.sub(one), x.compare(VectorOperators.LT, 0)).blend(one, pos)
                            : x.abs();
                    default -> derivative ? one : x;
                };
                y.intoMemorySegment(h, i * 4, LE);
            }
        }
        return i;
    }

    /**
     * One row: {@code out[j] = a[j] op b[j]} (op = multiply, or add when {@code add}) for whole vectors;
     * byte offsets of the rows are given. Returns the first column not processed.
     */
    static long row(boolean f64, boolean add, MemorySegment a, long aAt, MemorySegment b, long bAt, MemorySegment out,
            long outAt, long cols) {
        long j = 0;
        if (f64) {
            for (; j + DS.length() <= cols; j += DS.length()) {
                DoubleVector x = DoubleVector.fromMemorySegment(DS, a, aAt + j * 8, LE);
                DoubleVector y = DoubleVector.fromMemorySegment(DS, b, bAt + j * 8, LE);
                (add ? x.add(y) : x.mul(y)).intoMemorySegment(out, outAt + j * 8, LE);
            }
        } else {
            for (; j + FS.length() <= cols; j += FS.length()) {
                FloatVector x = FloatVector.fromMemorySegment(FS, a, aAt + j * 4, LE);
                FloatVector y = FloatVector.fromMemorySegment(FS, b, bAt + j * 4, LE);
                (add ? x.add(y) : x.mul(y)).intoMemorySegment(out, outAt + j * 4, LE);
            }
        }
        return j;
    }

    /** One row scaled in place by a scalar, whole vectors; returns the first column not processed. */
    static long scaleRow(boolean f64, MemorySegment m, long at, long cols, double s) {
        long j = 0;
        if (f64) {
            for (; j + DS.length() <= cols; j += DS.length()) {
                DoubleVector.fromMemorySegment(DS, m, at + j * 8, LE).mul(s).intoMemorySegment(m, at + j * 8, LE);
            }
        } else {
            float f = (float) s;
            for (; j + FS.length() <= cols; j += FS.length()) {
                FloatVector.fromMemorySegment(FS, m, at + j * 4, LE).mul(f).intoMemorySegment(m, at + j * 4, LE);
            }
        }
        return j;
    }

    /** The sum of one row's whole vectors (in double); {@code done[0]} gets the first column not summed. */
    static double rowSum(boolean f64, MemorySegment m, long at, long cols, long[] done) {
        long j = 0;
        double s;
        if (f64) {
            DoubleVector acc = DoubleVector.zero(DS);
            for (; j + DS.length() <= cols; j += DS.length()) {
                acc = acc.add(DoubleVector.fromMemorySegment(DS, m, at + j * 8, LE));
            }
            s = acc.reduceLanes(VectorOperators.ADD);
        } else {
            FloatVector acc = FloatVector.zero(FS);
            for (; j + FS.length() <= cols; j += FS.length()) {
                acc = acc.add(FloatVector.fromMemorySegment(FS, m, at + j * 4, LE));
            }
            s = acc.reduceLanes(VectorOperators.ADD);
        }
        done[0] = j;
        return s;
    }

    /** Lanes per vector for the type. */
    static int lanes(boolean f64) {
        return f64 ? DS.length() : FS.length();
    }

    /** Bits of {@code z[at + j] > 0} for the {@link #lanes} elements starting at byte offset {@code at}. */
    static long signs(boolean f64, MemorySegment z, long at) {
        return f64 ? DoubleVector.fromMemorySegment(DS, z, at, LE).compare(VectorOperators.GT, 0).toLong()
                : FloatVector.fromMemorySegment(FS, z, at, LE).compare(VectorOperators.GT, 0).toLong();
    }
}
