package io.github.tangent4j.backend.java;

import java.lang.foreign.MemorySegment;

/**
 * One implementation of a single-threaded row-major GEMM on host memory:
 * {@code C = alpha op(A) op(B) + beta C}, op(A) m x k, op(B) k x n. Element (i, p) of op(A) is at
 * element index {@code aOff + (transA ? p * lda + i : i * lda + p)} of {@code a}; likewise for B and C
 * ({@code C(i, j)} at {@code cOff + i * ldc + j}). When {@code beta == 0} C is not read.
 */
interface GemmKernel {
    /** A name for logs and benchmarks. */
    String name();

    /**
     * Whether one call already uses all the backend's threads (a system BLAS), so that the caller must not
     * split the product across its own threads too.
     */
    default boolean threadsItself() {
        return false;
    }

    /** Double-precision GEMM. */
    void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha, MemorySegment a, long aOff,
            long lda, MemorySegment b, long bOff, long ldb, double beta, MemorySegment c, long cOff, long ldc);

    /** Single-precision GEMM. */
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, long aOff,
            long lda, MemorySegment b, long bOff, long ldb, float beta, MemorySegment c, long cOff, long ldc);
}
