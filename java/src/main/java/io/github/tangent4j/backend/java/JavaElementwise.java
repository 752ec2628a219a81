package io.github.tangent4j.backend.java;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The elementwise primitives of the Java backend on row-major host segments: whole vectors through
 * {@link VectorElementwise} when the Vector API is present, the rest (tails, tanh, erf, or everything
 * without the module) through the scalar definitions.
 */
final class JavaElementwise {
    private static final ValueLayout.OfDouble D = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED;

    private JavaElementwise() {
    }

    private static boolean vector() {
        return Vectorization.ENABLED;
    }

    private static double get(DType t, MemorySegment s, long i) {
        return t == DType.F64 ? s.getAtIndex(D, i) : s.getAtIndex(F, i);
    }

    private static void set(DType t, MemorySegment s, long i, double v) {
        if (t == DType.F64) {
            s.setAtIndex(D, i, v);
        } else {
            s.setAtIndex(F, i, (float) v);
        }
    }

    static void fill(DType t, MemorySegment s, double value) {
        long n = s.byteSize() / t.byteSize();
        long i = vector() ? VectorElementwise.fill(t == DType.F64, s, n, value) : 0;
        for (; i < n; i++) {
            set(t, s, i, value);
        }
    }

    static void pointwise(DType t, Activation phi, boolean derivative, MemorySegment z, MemorySegment h) {
        long n = z.byteSize() / t.byteSize();
        long i = vector() ? VectorElementwise.pointwise(t == DType.F64, phi, derivative, z, h, n) : 0;
        // leaky_relu's product in the element's precision, as the vector path, CUDA and PyTorch compute it
        boolean floatProduct = t == DType.F32 && !derivative && phi.kind() == Activation.Kind.LEAKY_RELU;
        float slope = (float) phi.slope();
        for (; i < n; i++) {
            double x = get(t, z, i);
            double v = floatProduct && !(x > 0) ? slope * (float) x : derivative ? phi.derivative(x) : phi.value(x);
            set(t, h, i, v);
        }
    }

    /** Row operations on at least this many elements are split over the {@link ComputePool}'s threads. */
    static final long PARALLEL_ELEMENTS = 1L << 18;

    /**
     * m[i, :] (op)= b[bi(i), :] written to out[i, :], op = add or multiply; large ones in row blocks on the
     * {@link ComputePool} (the sweeps' masks are a few MB, between GEMMs that use every core).
     */
    private static void rows(DType t, boolean add, MemorySegment a, MemorySegment b, MemorySegment out, long rows,
            long cols, long repeat, boolean broadcastB) {
        int parts = rows < 2 || rows * cols < PARALLEL_ELEMENTS ? 1 : (int) Math.min(rows, ComputePool.THREADS);
        ComputePool.run(parts, part -> rowRange(t, add, a, b, out, rows * part / parts, rows * (part + 1) / parts, cols,
                repeat, broadcastB));
    }

    /** {@link #rows} for rows [from, to). */
    private static void rowRange(DType t, boolean add, MemorySegment a, MemorySegment b, MemorySegment out, long from,
            long to, long cols, long repeat, boolean broadcastB) {
        for (long i = from; i < to; i++) {
            long at = i * cols;
            row(t, add, a, at, b, broadcastB ? 0 : (i / repeat) * cols, out, at, cols);
        }
    }

    /**
     * One row: {@code out[outAt + j] = a[aAt + j] op b[bAt + j]} for j < cols (op = add, or multiply), element
     * indices; whole vectors on the Vector API, the rest one by one.
     */
    static void row(DType t, boolean add, MemorySegment a, long aAt, MemorySegment b, long bAt, MemorySegment out,
            long outAt, long cols) {
        long es = t.byteSize();
        long j = vector() ? VectorElementwise.row(t == DType.F64, add, a, aAt * es, b, bAt * es, out, outAt * es, cols)
                : 0;
        for (; j < cols; j++) {
            double x = get(t, a, aAt + j);
            double y = get(t, b, bAt + j);
            set(t, out, outAt + j, add ? x + y : x * y);
        }
    }

    static void addRowVector(DType t, MemorySegment m, long rows, long cols, MemorySegment v) {
        rows(t, true, m, v, m, rows, cols, 1, true);
    }

    static void scale(DType t, MemorySegment m, long rows, long cols, MemorySegment v, boolean byRow) {
        if (!byRow) {
            rows(t, false, m, v, m, rows, cols, 1, true);
            return;
        }
        long es = t.byteSize();
        for (long i = 0; i < rows; i++) {
            double s = get(t, v, i);
            long at = i * cols;
            long j = vector() ? VectorElementwise.scaleRow(t == DType.F64, m, at * es, cols, s) : 0;
            for (; j < cols; j++) {
                set(t, m, at + j, get(t, m, at + j) * s);
            }
        }
    }

    static void hadamard(DType t, MemorySegment a, MemorySegment b, MemorySegment c, long rows, long cols,
            long repeat) {
        rows(t, false, a, b, c, rows, cols, repeat, false);
    }

    static void sum(DType t, MemorySegment m, long rows, long cols, int axis, MemorySegment out) {
        if (axis == 0) {
            // out = sum of rows, accumulated row by row in the output's precision like the GEMM would.
            fill(t, out, 0);
            for (long i = 0; i < rows; i++) {
                rows(t, true, out, m.asSlice(i * cols * t.byteSize(), cols * t.byteSize()), out, 1, cols, 1, true);
            }
            return;
        }
        long es = t.byteSize();
        long[] done = new long[1];
        for (long i = 0; i < rows; i++) {
            long at = i * cols;
            double s = 0;
            long j = 0;
            if (vector()) {
                s = VectorElementwise.rowSum(t == DType.F64, m, at * es, cols, done);
                j = done[0];
            }
            for (; j < cols; j++) {
                s += get(t, m, at + j);
            }
            set(t, out, i, s);
        }
    }

    static void signBits(DType t, MemorySegment z, long rows, long cols, long words, MemorySegment out) {
        boolean f64 = t == DType.F64;
        int lanes = vector() ? VectorElementwise.lanes(f64) : 64;
        long es = t.byteSize();
        for (long i = 0; i < rows; i++) {
            long rowAt = i * cols;
            for (long w = 0; w < words; w++) {
                long bits = 0;
                long start = w * 64;
                long end = Math.min(64, cols - start);
                long b = 0;
                if (vector() && 64 % lanes == 0) {
                    for (; b + lanes <= end; b += lanes) {
                        bits |= VectorElementwise.signs(f64, z, (rowAt + start + b) * es) << b;
                    }
                }
                for (; b < end; b++) {
                    if (get(t, z, rowAt + start + b) > 0) {
                        bits |= 1L << b;
                    }
                }
                out.setAtIndex(L, i * words + w, bits);
            }
        }
    }
}
