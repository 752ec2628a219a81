package io.github.tangent4j.backend.java;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The GEMM used when the Vector API module is absent: rows of C accumulated in a Java array with
 * the loop order i, p, j so the inner loop is unit-stride and auto-vectorisable.
 */
final class ScalarGemm implements GemmKernel {
    private static final ValueLayout.OfDouble D = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha, MemorySegment a,
            long aOff, long lda, MemorySegment b, long bOff, long ldb, double beta, MemorySegment c, long cOff,
            long ldc) {
        double[] row = new double[n];
        double[] bRow = new double[n];
        for (int i = 0; i < m; i++) {
            java.util.Arrays.fill(row, 0);
            for (int p = 0; p < k; p++) {
                double aip = a.getAtIndex(D, aOff + (transA ? (long) p * lda + i : (long) i * lda + p));
                if (transB) {
                    for (int j = 0; j < n; j++) {
                        row[j] += aip * b.getAtIndex(D, bOff + (long) j * ldb + p);
                    }
                } else {
                    MemorySegment.copy(b, D, (bOff + (long) p * ldb) * 8, bRow, 0, n);
                    for (int j = 0; j < n; j++) {
                        row[j] += aip * bRow[j];
                    }
                }
            }
            long ci = cOff + (long) i * ldc;
            for (int j = 0; j < n; j++) {
                double v = alpha * row[j];
                c.setAtIndex(D, ci + j, beta == 0 ? v : v + beta * c.getAtIndex(D, ci + j));
            }
        }
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a,
            long aOff, long lda, MemorySegment b, long bOff, long ldb, float beta, MemorySegment c, long cOff,
            long ldc) {
        float[] row = new float[n];
        float[] bRow = new float[n];
        for (int i = 0; i < m; i++) {
            java.util.Arrays.fill(row, 0);
            for (int p = 0; p < k; p++) {
                float aip = a.getAtIndex(F, aOff + (transA ? (long) p * lda + i : (long) i * lda + p));
                if (transB) {
                    for (int j = 0; j < n; j++) {
                        row[j] += aip * b.getAtIndex(F, bOff + (long) j * ldb + p);
                    }
                } else {
                    MemorySegment.copy(b, F, (bOff + (long) p * ldb) * 4, bRow, 0, n);
                    for (int j = 0; j < n; j++) {
                        row[j] += aip * bRow[j];
                    }
                }
            }
            long ci = cOff + (long) i * ldc;
            for (int j = 0; j < n; j++) {
                float v = alpha * row[j];
                c.setAtIndex(F, ci + j, beta == 0 ? v : v + beta * c.getAtIndex(F, ci + j));
            }
        }
    }
}
