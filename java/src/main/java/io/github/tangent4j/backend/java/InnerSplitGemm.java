package io.github.tangent4j.backend.java;

import io.github.tangent4j.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A pure-Java GEMM ({@code C = alpha op(A) op(B) + beta C}, arguments as in {@link GemmKernel}) split across
 * the threads of the {@link ComputePool} along its inner dimension k: thread t computes the product of
 * columns [k_t, k_t+1) of op(A) and rows [k_t, k_t+1) of op(B), the first into C (with beta), the others into
 * scratch m x n blocks, which are then added to C. For a product with small m and n and a long k (the NTK's
 * 256 x 256 x 5120) each thread thus packs its own share of both operands once, where a split by rows (or
 * columns) has every thread pack all of op(B) (or op(A)) again; the extra cost is the scratch blocks' m x n
 * sums (bench/RESULTS.md, 2026-12-05 13:20-13:30, branch gemm3).
 */
final class InnerSplitGemm {
    /**
     * Scratch blocks of this many bytes at most (m x n up to 256 x 512 F64 on two threads), so that they stay in
     * L2 and their sums cost little beside the product.
     */
    private static final long MAX_SCRATCH_BYTES = 1L << 20;
    /** The calling thread's scratch memory, grown on demand and kept for its next call. */
    private static final ThreadLocal<MemorySegment> SCRATCH = ThreadLocal.withInitial(() -> MemorySegment.NULL);

    private InnerSplitGemm() {
    }

    /**
     * Whether an m x n x k product on {@code parts} threads is split along k: when k is at least the larger of
     * m and n and the scratch blocks are at most {@link #MAX_SCRATCH_BYTES}. Measured per thread (thread CPU
     * time on one thread, bench/RESULTS.md): on 256 x 256 x 5120 and 256 x 512 x 784 (B transposed) a thread's
     * share of the k split, sums included, took 3-9% less than its share of the split by rows or columns; on
     * 2560 x 512 x 512 (k < m) 5% more.
     */
    static boolean applies(int parts, long m, long n, long k, int elementBytes) {
        return parts > 1 && k >= Math.max(m, n) && (parts - 1) * m * n * elementBytes <= MAX_SCRATCH_BYTES;
    }

    /** The GEMM on {@code parts} threads, k split into {@code parts} nearly equal slices. */
    static void gemm(GemmKernel kernel, int parts, boolean f64, boolean transA, boolean transB, int m, int n, int k,
            double alpha, MemorySegment a, long lda, MemorySegment b, long ldb, double beta, MemorySegment c,
            long ldc) {
        DType dtype = f64 ? DType.F64 : DType.F32;
        int es = dtype.byteSize();
        long block = (long) m * n;
        MemorySegment scratch = scratch((parts - 1) * block * es);
        ComputePool.run(parts, part -> {
            int from = (int) ((long) k * part / parts);
            int to = (int) ((long) k * (part + 1) / parts);
            long aOff = transA ? (long) from * lda : from;
            long bOff = transB ? from : (long) from * ldb;
            if (part == 0) {
                JavaGemm.call(kernel, f64, transA, transB, m, n, to - from, alpha, a, aOff, lda, b, bOff, ldb, beta,
                        c, 0, ldc);
            } else {
                JavaGemm.call(kernel, f64, transA, transB, m, n, to - from, alpha, a, aOff, lda, b, bOff, ldb, 0,
                        scratch, (part - 1) * block, n);
            }
        });
        ComputePool.run(parts, part -> {
            for (int i = (int) ((long) m * part / parts); i < (long) m * (part + 1) / parts; i++) {
                for (int s = 0; s < parts - 1; s++) {
                    JavaElementwise.row(dtype, true, c, i * ldc, scratch, s * block + (long) i * n, c, i * ldc, n);
                }
            }
        });
    }

    /** The calling thread's scratch memory, at least {@code bytes} long (64-byte aligned, contents undefined). */
    private static MemorySegment scratch(long bytes) {
        MemorySegment s = SCRATCH.get();
        if (s.byteSize() < bytes) {
            s = Arena.ofAuto().allocate(bytes, 64);
            SCRATCH.set(s);
        }
        return s;
    }
}
