package io.github.tangent4j.backend.java;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Row-major GEMM on host memory, {@code C = alpha op(A) op(B) + beta C} with op(A) m x k, op(B)
 * k x n and leading dimensions (row strides, in elements). The kernel is the one {@link GemmProvider}
 * chose: the system BLAS, which threads itself, or a pure-Java one (Vector API or scalar), for which large
 * products are split into independent row (or column) blocks, one per thread of the {@link ComputePool}, or,
 * when k is long beside m and n, along k ({@link InnerSplitGemm}).
 */
final class JavaGemm {
    /** Below this many multiply-adds a GEMM runs on the caller's thread alone. */
    private static final long PARALLEL_THRESHOLD = 1L << 21;
    static final GemmKernel KERNEL = GemmProvider.CHOICE.kernel();

    private JavaGemm() {
    }

    /** One line naming the GEMM in use (provider and file) and the thread count. */
    static String describe() {
        return GemmProvider.CHOICE.description();
    }

    /** The GEMM with the selected kernel; see the class comment. */
    static void gemm(boolean f64, boolean transA, boolean transB, long m, long n, long k, double alpha,
            MemorySegment a, long lda, MemorySegment b, long ldb, double beta, MemorySegment c, long ldc) {
        gemm(KERNEL, f64, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /** The GEMM with a given kernel (tests compare kernels). */
    static void gemm(GemmKernel kernel, boolean f64, boolean transA, boolean transB, long m, long n, long k,
            double alpha, MemorySegment a, long lda, MemorySegment b, long ldb, double beta, MemorySegment c,
            long ldc) {
        if (m > Integer.MAX_VALUE || n > Integer.MAX_VALUE || k > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("gemm: the Java backend needs m, n, k < 2^31 but got " + m + ", "
                    + n + ", " + k);
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            scale(f64, (int) m, (int) n, beta, c, ldc);
            return;
        }
        if (kernel.threadsItself() && !SystemBlas.accepts(a, b, c)) {
            kernel = GemmProvider.JAVA;   // a Java array: the native library cannot address it
        }
        if (kernel.threadsItself()) {
            call(kernel, f64, transA, transB, (int) m, (int) n, (int) k, alpha, a, 0, lda, b, 0, ldb, beta, c, 0, ldc);
            return;
        }
        GemmKernel split = kernel;
        long work = m * n * k;
        int parts = work < PARALLEL_THRESHOLD ? 1 : ComputePool.THREADS;
        if (InnerSplitGemm.applies(parts, m, n, k, f64 ? Double.BYTES : Float.BYTES)) {
            InnerSplitGemm.gemm(split, parts, f64, transA, transB, (int) m, (int) n, (int) k, alpha, a, lda, b, ldb,
                    beta, c, ldc);
            return;
        }
        boolean byRows = m >= n;
        long extent = byRows ? m : n;
        long align = byRows ? 4 : 64;
        long chunk = (extent + parts - 1) / parts;
        chunk = (chunk + align - 1) / align * align;
        int blocks = (int) ((extent + chunk - 1) / chunk);
        long size = chunk;
        ComputePool.run(blocks, part -> {
            long from = part * size;
            int len = (int) Math.min(size, extent - from);
            int mm = byRows ? len : (int) m;
            int nn = byRows ? (int) n : len;
            long aOff = byRows ? (transA ? from : from * lda) : 0;
            long bOff = byRows ? 0 : (transB ? from * ldb : from);
            long cOff = byRows ? from * ldc : from;
            call(split, f64, transA, transB, mm, nn, (int) k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        });
    }

    /** One GEMM on the calling thread with {@code kernel}, at element offsets into A, B and C. */
    static void call(GemmKernel kernel, boolean f64, boolean transA, boolean transB, int m, int n, int k,
            double alpha, MemorySegment a, long aOff, long lda, MemorySegment b, long bOff, long ldb, double beta,
            MemorySegment c, long cOff, long ldc) {
        if (f64) {
            kernel.dgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else {
            kernel.sgemm(transA, transB, m, n, k, (float) alpha, a, aOff, lda, b, bOff, ldb, (float) beta, c, cOff,
                    ldc);
        }
    }

    /**
     * {@code batch} GEMMs on consecutive blocks: block i of A starts {@code i * m * k} elements into
     * {@code a} (likewise B with k x n, C with m x n blocks), with the leading dimensions given. Small
     * GEMMs (below {@link #PARALLEL_THRESHOLD} multiply-adds each) run on the pure-Java kernel, in parallel
     * across the batch, each on one thread: a system BLAS would take them one by one, a native call each
     * (the parameter Jacobian's outer products are thousands of them). Large ones run one after another on
     * the chosen kernel, each on all the threads.
     */
    static void gemmBatched(boolean f64, int batch, boolean transA, boolean transB, long m, long n, long k,
            double alpha, MemorySegment a, long lda, MemorySegment b, long ldb, double beta, MemorySegment c,
            long ldc) {
        long es = f64 ? 8 : 4;
        long aBlock = m * k * es;
        long bBlock = k * n * es;
        long cBlock = m * n * es;
        long work = m * n * k;
        GemmKernel kernel = kernelForBatch(batch, work);
        ComputePool.PartTask blocks = part -> gemm(kernel, f64, transA, transB, m, n, k, alpha, a.asSlice(part
                * aBlock, aBlock), lda, b.asSlice(part * bBlock, bBlock), ldb, beta, c.asSlice(part * cBlock, cBlock),
                ldc);
        boolean acrossBatch = batch > 1 && work < PARALLEL_THRESHOLD && work * batch >= PARALLEL_THRESHOLD;
        int parts = acrossBatch ? Math.min(batch, ComputePool.THREADS) : 1;
        ComputePool.run(parts, part -> {
            for (int i = (int) ((long) batch * part / parts); i < (long) batch * (part + 1) / parts; i++) {
                blocks.run(i);
            }
        });
    }

    /** The kernel each GEMM of a batch of {@code batch} runs on, with {@code work} multiply-adds each. */
    static GemmKernel kernelForBatch(int batch, long work) {
        return batch > 1 && work < PARALLEL_THRESHOLD ? GemmProvider.JAVA : KERNEL;
    }

    /** C = beta C (zero when beta is 0, so NaN in C does not survive). */
    private static void scale(boolean f64, int m, int n, double beta, MemorySegment c, long ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                long idx = i * ldc + j;
                if (f64) {
                    double v = c.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, idx);
                    c.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, idx, beta == 0 ? 0 : beta * v);
                } else {
                    float v = c.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, idx);
                    c.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, idx, beta == 0 ? 0 : (float) (beta * v));
                }
            }
        }
    }
}
