package io.github.tangent4j.backend.java;

import java.lang.foreign.MemorySegment;

/**
 * The loop nest of a packed GEMM, after Goto and van de Geijn, "Anatomy of High-Performance Matrix
 * Multiplication" (ACM TOMS 34(3), 2008), shared by the single- and double-precision Vector API GEMMs,
 * which supply the packing and the micro-kernel for their element type ({@link Call}).
 *
 * <p>For each NC-wide column block and KC-deep slice of the inner dimension, op(B) is packed once; for
 * each MC-high row block op(A) is packed, and MR x NR tiles of C are updated by the micro-kernel. The
 * tiles of a block are visited in one of two orders. When the packed B block fits in L2 (small k), row
 * panel by row panel, so that C is written along its rows, the order its cache lines, pages and the
 * hardware prefetchers favour: for k = 8..64 this is 1.1-2x faster. Otherwise B panel by B panel, so
 * that each KC x NR panel of B is reused from L2 by every row panel of the A block. When all of op(A)
 * is one block (m <= MC, short-wide products), each B panel is packed just before its row panels use
 * it, so packed B never leaves L2 (1.2x on 64 x 8192 x 512 with 2 threads).
 *
 * <p>The row-stream order ({@link Blocking#rowStreams()}, chosen on Intel) nests the loops the other way
 * round: for each KC slice and each (large) MC-high A block, op(B) is packed in NC-wide blocks small enough
 * to stay in L2, and each MR-row A panel, held in L1, sweeps a whole B block, so that the tiles of C are
 * visited along their rows. Each row of C is then read and written as one sequential stream, which the
 * hardware prefetchers follow; in the panel order each tile of C is a cold miss, and on a Sapphire Rapids
 * class Xeon that update of C was 18% of the time (bench/RESULTS.md). This is the order OpenBLAS's
 * column-major kernels run in, transposed. Block sizes are evened out (e.g. k = 784 as 2 x 392, not
 * 512 + 272), so no block is a thin remainder.
 */
final class PackedGemmLoops {
    private PackedGemmLoops() {
    }

    /**
     * Block sizes of one element type, in elements: the micro-tile {@code mr x nr}, the blocks
     * {@code kc} (inner dimension), {@code mc} (rows) and {@code nc} (columns), {@code l2BBlock}, the
     * largest packed B block ({@code kc * nc}) visited row panel by row panel, and the loop order:
     * {@code rowStreams} for the row-stream order, else the panel order (see the class comment).
     */
    record Blocking(int mr, int nr, int kc, int mc, int nc, long l2BBlock, boolean rowStreams) {
    }

    /**
     * One GEMM call: its operands ({@code C = alpha op(A) op(B) + beta C}, element (i, p) of op(A) at element
     * index {@code aOff + (transA ? p * lda + i : i * lda + p)} of {@code a}, likewise for B and C) and what
     * its element type does inside the loop nest.
     */
    abstract static class Call {
        final boolean transA;
        final boolean transB;
        final MemorySegment a;
        final long aOff;
        final long lda;
        final MemorySegment b;
        final long bOff;
        final long ldb;
        final MemorySegment c;
        final long cOff;
        final long ldc;

        Call(boolean transA, boolean transB, MemorySegment a, long aOff, long lda, MemorySegment b, long bOff,
                long ldb, MemorySegment c, long cOff, long ldc) {
            this.transA = transA;
            this.transB = transB;
            this.a = a;
            this.aOff = aOff;
            this.lda = lda;
            this.b = b;
            this.bOff = bOff;
            this.ldb = ldb;
            this.c = c;
            this.cOff = cOff;
            this.ldc = ldc;
        }

        /** Packs rows [p0, p0 + kc) x columns [j0, j0 + nc) of op(B) into the packed B buffer. */
        abstract void packB(int p0, int kc, int j0, int nc);

        /** Packs rows [i0, i0 + mc) x columns [p0, p0 + kc) of op(A) into the packed A buffer. */
        abstract void packA(int i0, int mc, int p0, int kc);

        /**
         * Updates the {@code mr x nr} tile of C at row {@code i}, column {@code j} from the A panel at
         * element {@code aIdx} and the B panel at element {@code bIdx} of the packed buffers, adding to C
         * when {@code accumulate} (a later slice of the inner dimension).
         */
        abstract void kernel(int kc, int aIdx, int bIdx, int i, int j, int mr, int nr, boolean accumulate);
    }

    /** Runs the loop nest for an m x n x k GEMM. */
    static void run(Blocking bl, int m, int n, int k, Call steps) {
        if (bl.rowStreams()) {
            runRowStreams(bl, m, n, k, steps);
            return;
        }
        int mr0 = bl.mr();
        int nr0 = bl.nr();
        for (int jc = 0; jc < n; jc += bl.nc()) {
            int nc = Math.min(bl.nc(), n - jc);
            for (int pc = 0; pc < k; pc += bl.kc()) {
                int kc = Math.min(bl.kc(), k - pc);
                boolean accumulate = pc > 0;
                if (m <= bl.mc()) {
                    // one A block: pack each B panel just before its row panels use it, while it is in L2
                    steps.packA(0, m, pc, kc);
                    for (int jr = 0; jr < nc; jr += nr0) {
                        steps.packB(pc, kc, jc + jr, Math.min(nr0, nc - jr));
                        for (int ir = 0; ir < m; ir += mr0) {
                            steps.kernel(kc, ir * kc, 0, ir, jc + jr, Math.min(mr0, m - ir), Math.min(nr0, nc - jr),
                                    accumulate);
                        }
                    }
                    continue;
                }
                steps.packB(pc, kc, jc, nc);
                for (int ic = 0; ic < m; ic += bl.mc()) {
                    int mc = Math.min(bl.mc(), m - ic);
                    steps.packA(ic, mc, pc, kc);
                    if ((long) kc * nc <= bl.l2BBlock()) {
                        for (int ir = 0; ir < mc; ir += mr0) {
                            for (int jr = 0; jr < nc; jr += nr0) {
                                steps.kernel(kc, ir * kc, jr * kc, ic + ir, jc + jr, Math.min(mr0, mc - ir),
                                        Math.min(nr0, nc - jr), accumulate);
                            }
                        }
                    } else {
                        for (int jr = 0; jr < nc; jr += nr0) {
                            for (int ir = 0; ir < mc; ir += mr0) {
                                steps.kernel(kc, ir * kc, jr * kc, ic + ir, jc + jr, Math.min(mr0, mc - ir),
                                        Math.min(nr0, nc - jr), accumulate);
                            }
                        }
                    }
                }
            }
        }
    }

    /** The row-stream order (see the class comment). */
    private static void runRowStreams(Blocking bl, int m, int n, int k, Call steps) {
        int mr0 = bl.mr();
        int nr0 = bl.nr();
        int kcMax = even(k, bl.kc(), 1);
        int ncMax = even(n, bl.nc(), nr0);
        int mcMax = rowBlock(m, bl.mc(), mr0);
        for (int pc = 0; pc < k; pc += kcMax) {
            int kc = Math.min(kcMax, k - pc);
            boolean accumulate = pc > 0;
            for (int ic = 0; ic < m; ic += mcMax) {
                int mc = Math.min(mcMax, m - ic);
                steps.packA(ic, mc, pc, kc);
                for (int jc = 0; jc < n; jc += ncMax) {
                    int nc = Math.min(ncMax, n - jc);
                    steps.packB(pc, kc, jc, nc);
                    for (int ir = 0; ir < mc; ir += mr0) {
                        int rows = Math.min(mr0, mc - ir);
                        for (int jr = 0; jr < nc; jr += nr0) {
                            steps.kernel(kc, ir * kc, jr * kc, ic + ir, jc + jr, rows, Math.min(nr0, nc - jr),
                                    accumulate);
                        }
                    }
                }
            }
        }
    }

    /**
     * The height of the A blocks in the row-stream order for {@code m} rows and a nominal block of {@code mc}
     * rows: the fewest blocks of at most {@link #rowBlockMax(int) 5/4 mc} rows, evened out and rounded up to the
     * micro-tile's {@code mr}. So a thread's 1280 rows (2560 x n x k on two threads, MC 1024) are one block, not
     * 1024 + 256, which packed op(B) twice and swept the second packing with 256 rows only: 2-5% of that
     * thread's time in F32 (bench/RESULTS.md, 2026-12-05 19:10, branch gemm5).
     */
    static int rowBlock(int m, int mc, int mr) {
        return even(m, rowBlockMax(mc), mr);
    }

    /** The most rows of an A block in the row-stream order for a nominal block of {@code mc} rows. */
    static int rowBlockMax(int mc) {
        return mc + mc / 4;
    }

    /**
     * The block size at most {@code max} that splits {@code extent} into the fewest blocks of nearly equal
     * size, rounded up to a multiple of {@code unit} (but never above {@code max} when {@code max} is one).
     */
    static int even(int extent, int max, int unit) {
        int blocks = (extent + max - 1) / max;
        int size = (extent + blocks - 1) / blocks;
        int rounded = (size + unit - 1) / unit * unit;
        return rounded <= max ? rounded : size;
    }
}
