package io.github.tangent4j.backend.java;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Row-major GEMM on host memory: {@code C = alpha op(A) op(B) + beta C}, op(A) m x k, op(B) k x n,
 * with leading dimensions (row strides, in elements) lda, ldb, ldc.
 */
final class JavaGemm {
    private static final ValueLayout.OfDouble D = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private JavaGemm() {
    }

    /** One line naming the kernel in use. */
    static String describe() {
        return "scalar GEMM";
    }

    static void gemm(boolean f64, boolean transA, boolean transB, long m, long n, long k, double alpha,
            MemorySegment a, long lda, MemorySegment b, long ldb, double beta, MemorySegment c, long ldc) {
        if (f64) {
            gemmF64(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        } else {
            gemmF32(transA, transB, m, n, k, (float) alpha, a, lda, b, ldb, (float) beta, c, ldc);
        }
    }

    private static void gemmF64(boolean transA, boolean transB, long m, long n, long k, double alpha,
            MemorySegment a, long lda, MemorySegment b, long ldb, double beta, MemorySegment c, long ldc) {
        double[] row = new double[(int) n];
        for (long i = 0; i < m; i++) {
            java.util.Arrays.fill(row, 0);
            for (long p = 0; p < k; p++) {
                double aip = a.getAtIndex(D, transA ? p * lda + i : i * lda + p);
                for (int j = 0; j < n; j++) {
                    row[j] += aip * b.getAtIndex(D, transB ? j * ldb + p : p * ldb + j);
                }
            }
            for (int j = 0; j < n; j++) {
                long idx = i * ldc + j;
                double v = alpha * row[j];
                c.setAtIndex(D, idx, beta == 0 ? v : v + beta * c.getAtIndex(D, idx));
            }
        }
    }

    private static void gemmF32(boolean transA, boolean transB, long m, long n, long k, float alpha,
            MemorySegment a, long lda, MemorySegment b, long ldb, float beta, MemorySegment c, long ldc) {
        float[] row = new float[(int) n];
        for (long i = 0; i < m; i++) {
            java.util.Arrays.fill(row, 0);
            for (long p = 0; p < k; p++) {
                float aip = a.getAtIndex(F, transA ? p * lda + i : i * lda + p);
                for (int j = 0; j < n; j++) {
                    row[j] += aip * b.getAtIndex(F, transB ? j * ldb + p : p * ldb + j);
                }
            }
            for (int j = 0; j < n; j++) {
                long idx = i * ldc + j;
                float v = alpha * row[j];
                c.setAtIndex(F, idx, beta == 0 ? v : v + beta * c.getAtIndex(F, idx));
            }
        }
    }
}
