package io.github.tangent4j.backend.java;

import java.lang.foreign.MemorySegment;

/** The Vector API GEMM; loaded only when the {@code jdk.incubator.vector} module is present. */
final class VectorKernel implements GemmKernel {
    @Override
    public String name() {
        return "Vector API " + VectorGemm64.SPECIES.vectorBitSize() + "-bit, " + VectorGemm64.MR + "x"
                + VectorGemm64.NR + " (F64) and " + VectorGemm32.MR + "x" + VectorGemm32.NR + " (F32) micro-kernels";
    }

    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha, MemorySegment a,
            long aOff, long lda, MemorySegment b, long bOff, long ldb, double beta, MemorySegment c, long cOff,
            long ldc) {
        VectorGemm64.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a,
            long aOff, long lda, MemorySegment b, long bOff, long ldb, float beta, MemorySegment c, long cOff,
            long ldc) {
        VectorGemm32.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }
}
