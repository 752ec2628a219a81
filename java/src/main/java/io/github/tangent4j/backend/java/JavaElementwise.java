package io.github.tangent4j.backend.java;

import io.github.tangent4j.backend.Activation;
import io.github.tangent4j.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The elementwise primitives of the Java backend on row-major host segments. */
final class JavaElementwise {
    private static final ValueLayout.OfDouble D = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED;

    private JavaElementwise() {
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
        for (long i = 0; i < n; i++) {
            set(t, s, i, value);
        }
    }

    static void pointwise(DType t, Activation phi, boolean derivative, MemorySegment z, MemorySegment h) {
        long n = z.byteSize() / t.byteSize();
        for (long i = 0; i < n; i++) {
            double x = get(t, z, i);
            set(t, h, i, derivative ? phi.derivative(x) : phi.value(x));
        }
    }

    static void addRowVector(DType t, MemorySegment m, long rows, long cols, MemorySegment v) {
        for (long i = 0; i < rows; i++) {
            for (long j = 0; j < cols; j++) {
                long idx = i * cols + j;
                set(t, m, idx, get(t, m, idx) + get(t, v, j));
            }
        }
    }

    static void scale(DType t, MemorySegment m, long rows, long cols, MemorySegment v, boolean byRow) {
        for (long i = 0; i < rows; i++) {
            for (long j = 0; j < cols; j++) {
                long idx = i * cols + j;
                set(t, m, idx, get(t, m, idx) * get(t, v, byRow ? i : j));
            }
        }
    }

    static void hadamard(DType t, MemorySegment a, MemorySegment b, MemorySegment c, long rows, long cols,
            long repeat) {
        for (long i = 0; i < rows; i++) {
            long bi = i / repeat;
            for (long j = 0; j < cols; j++) {
                set(t, c, i * cols + j, get(t, a, i * cols + j) * get(t, b, bi * cols + j));
            }
        }
    }

    static void sum(DType t, MemorySegment m, long rows, long cols, int axis, MemorySegment out) {
        if (axis == 0) {
            for (long j = 0; j < cols; j++) {
                double s = 0;
                for (long i = 0; i < rows; i++) {
                    s += get(t, m, i * cols + j);
                }
                set(t, out, j, s);
            }
        } else {
            for (long i = 0; i < rows; i++) {
                double s = 0;
                for (long j = 0; j < cols; j++) {
                    s += get(t, m, i * cols + j);
                }
                set(t, out, i, s);
            }
        }
    }

    static void signBits(DType t, MemorySegment z, long rows, long cols, long words, MemorySegment out) {
        for (long i = 0; i < rows; i++) {
            for (long w = 0; w < words; w++) {
                long bits = 0;
                long end = Math.min(64, cols - w * 64);
                for (long b = 0; b < end; b++) {
                    if (get(t, z, i * cols + w * 64 + b) > 0) {
                        bits |= 1L << b;
                    }
                }
                out.setAtIndex(L, i * words + w, bits);
            }
        }
    }
}
