package io.github.tangent4j.backend.java;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.stream.IntStream;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-threaded double-precision GEMM on the Vector API: the packing and the micro-kernel that
 * {@link PackedGemmLoops} (which cites the algorithm) runs. op(B) is packed in NR-wide column panels
 * (KC x NR; KC from {@link GemmBlocking}), op(A) in MR-row panels, and an MR x NR
 * register-blocked micro-kernel of fused multiply-adds updates C (the 4 x 4-vector tile: 4 broadcasts
 * and 4 loads per 16 FMAs; 6 x 4, 8 x 3 and 12 x 2: 24 FMAs). Edges are zero-padded in the packed buffers; C is
 * updated from a tile buffer, with masks at the edges. One instance serves one call.
 */
final class VectorGemm64 extends PackedGemmLoops.Call {
    static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    static final int L = SPECIES.length();
    /**
     * The micro-tile: 4, 6, 8 or 12 rows ({@link GemmBlocking#wideRows(int)}) x 4, 4, 3 or 2 vectors (16 or 24
     * accumulators) with 512-bit vectors and 32 vector registers; 6 rows x 2 vectors (12 accumulators) with
     * narrower vectors, where AVX2 has only 16 registers and the 4 x 4 tile spills (1.4-2x slower there;
     * bench/RESULTS.md).
     */
    static final boolean WIDE = SPECIES.vectorBitSize() >= 512;
    /** The rows of the micro-tile chosen for this CPU. */
    static final int MR = WIDE ? GemmBlocking.wideRows(Double.BYTES) : 6;
    /** The most rows a micro-tile has. */
    private static final int MAX_MR = 12;
    /** The columns of the micro-tile chosen for this CPU (the width of a packed B panel). */
    static final int NR = width(MR);
    /** The widest micro-tile. */
    private static final int MAX_NR = WIDE ? 4 * L : 2 * L;
    /** KC, MC, NC, the L2 block and the loop order for this CPU ({@link GemmBlocking}). */
    static final GemmBlocking.Sizes SIZES = GemmBlocking.sizes(Double.BYTES, SPECIES.vectorByteSize());
    static final int KC = SIZES.kc();
    static final int MC = SIZES.mc();
    static final int NC = SIZES.nc();
    static final long L2_B_BLOCK = SIZES.l2BBlock();
    private static final PackedGemmLoops.Blocking BLOCKING = new PackedGemmLoops.Blocking(MR, NR, KC, MC, NC,
            L2_B_BLOCK, SIZES.rowStreams());
    /** Products of at most this many rows run in the panel order as one A block ({@link GemmBlocking.Sizes}). */
    private static final int FEW = Math.min(SIZES.panelRows(), MC);
    /** The blocking of those products: the 6 x 4 tile in the panel order. */
    private static final PackedGemmLoops.Blocking FEW_ROWS = new PackedGemmLoops.Blocking(WIDE ? 6 : MR, width(6),
            KC, Math.max(FEW, 1), GemmBlocking.panelNc(Double.BYTES), L2_B_BLOCK, false);
    /**
     * For each panel height or width r, the offsets 0, r, 2r, ... of a vector's lanes in a packed A (r rows) or
     * B (r columns) panel.
     */
    private static final int[][] SPREAD = IntStream.rangeClosed(0, Math.max(MAX_MR, MAX_NR))
            .mapToObj(r -> IntStream.range(0, L).map(i -> i * r).toArray()).toArray(int[][]::new);
    /**
     * For each panel height mr, for each of the mr vectors that L columns of a packed A panel make, where its lanes
     * lie in a staging block of mr rows of L elements: lane e of vector v is element (v L + e) of the panel, row
     * (v L + e) mod mr of column (v L + e) / mr.
     */
    private static final int[][][] PANEL_ORDER = IntStream.rangeClosed(0, MAX_MR)
            .mapToObj(mr -> IntStream.range(0, mr).mapToObj(v -> IntStream.range(0, L)
                    .map(e -> (v * L + e) % mr * L + (v * L + e) / mr).toArray()).toArray(int[][]::new))
            .toArray(int[][][]::new);
    private static final ValueLayout.OfDouble E = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ThreadLocal<double[]> PACKED_A = ThreadLocal.withInitial(
            () -> new double[(PackedGemmLoops.rowBlockMax(MC) + MAX_MR) * KC]);
    private static final ThreadLocal<double[]> PACKED_B = ThreadLocal.withInitial(() -> new double[KC * (NC + MAX_NR)
            + ArrayAlignment.BYTES / Double.BYTES]);
    private static final ThreadLocal<double[]> STAGE = ThreadLocal.withInitial(
            () -> new double[Math.max(MAX_NR, MAX_MR) * L]);

    private final double alpha;
    private final double beta;
    private final double[] ap = PACKED_A.get();
    private final double[] bp = PACKED_B.get();
    /**
     * Where this call's packed B panels start in {@link #bp}: on a 64-byte boundary, so that no vector load from
     * them splits two cache lines ({@link ArrayAlignment}).
     */
    private final int bStart = ArrayAlignment.shift(bp);
    private final double[] tile = new double[MAX_MR * MAX_NR];
    /**
     * The staging block of {@link #packTransposedPanel} and {@link #packA}: the widest panel's columns (or the
     * highest panel's rows), L elements each.
     */
    private final double[] stage = STAGE.get();
    /** The rows of this call's micro-tile: 4, 6 or 8 with 512-bit vectors, 6 otherwise. */
    private final int tileRows;
    /** The columns of this call's micro-tile, the width of its packed B panels. */
    private final int nr;

    private VectorGemm64(int tileRows, boolean transA, boolean transB, MemorySegment a, long aOff, long lda, MemorySegment b,
            long bOff, long ldb, double alpha, double beta, MemorySegment c, long cOff, long ldc) {
        super(transA, transB, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        this.tileRows = tileRows;
        this.nr = width(tileRows);
        this.alpha = alpha;
        this.beta = beta;
    }

    /** The GEMM of {@link GemmKernel} on the calling thread, with this CPU's micro-tile. */
    static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, MemorySegment a, long aOff,
            long lda, MemorySegment b, long bOff, long ldb, double beta, MemorySegment c, long cOff, long ldc) {
        run(m <= FEW ? FEW_ROWS : BLOCKING, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                beta, c, cOff, ldc);
    }

    /**
     * The same with a micro-tile of {@code rows} rows (4, 6 or 8; always 6 with narrow vectors), the loop
     * order {@code rowStreams} ({@link PackedGemmLoops}) and blocks of at most {@code kc}, {@code mc} and
     * {@code nc} (0: this CPU's; never larger), for tests.
     */
    static void gemm(int rows, boolean rowStreams, int kc, int mc, int nc, boolean transA, boolean transB, int m,
            int n, int k, double alpha, MemorySegment a, long aOff, long lda, MemorySegment b, long bOff, long ldb,
            double beta, MemorySegment c, long cOff, long ldc) {
        int r = WIDE && (rows == 4 || rows == 8 || rows == 12) ? rows : 6;
        run(new PackedGemmLoops.Blocking(r, width(r), kc > 0 ? Math.min(kc, KC) : KC, mc > 0 ? Math.min(mc, MC) : MC,
                nc > 0 ? Math.min(nc, NC) : NC, L2_B_BLOCK, rowStreams), transA, transB, m, n, k, alpha, a, aOff, lda, b,
                bOff, ldb, beta, c, cOff, ldc);
    }

    private static void run(PackedGemmLoops.Blocking bl, boolean transA, boolean transB, int m, int n, int k,
            double alpha, MemorySegment a, long aOff, long lda, MemorySegment b, long bOff, long ldb, double beta,
            MemorySegment c, long cOff, long ldc) {
        PackedGemmLoops.run(bl, m, n, k, new VectorGemm64(bl.mr(), transA, transB, a, aOff, lda, b, bOff, ldb, alpha,
                beta, c, cOff, ldc));
    }

    /** The columns of the micro-tile with {@code rows} rows: 3 vectors for 8 rows, else 4 (2 when narrow). */
    private static int width(int rows) {
        return (!WIDE || rows == 12 ? 2 : rows == 8 ? 3 : 4) * L;
    }

    @Override
    void kernel(int kc, int aIdx, int bIdx, int i, int j, int mr, int nr, boolean accumulate) {
        int b = bStart + bIdx;
        if (!WIDE) {
            kernel6x2(kc, ap, aIdx, bp, b, c, cOff + (long) i * ldc + j, ldc, mr, nr, alpha, beta, accumulate, tile);
        } else if (tileRows == 12) {
            kernel12x2(kc, ap, aIdx, bp, b, c, cOff + (long) i * ldc + j, ldc, mr, nr, alpha, beta, accumulate, tile);
        } else if (tileRows == 8) {
            kernel8x3(kc, ap, aIdx, bp, b, c, cOff + (long) i * ldc + j, ldc, mr, nr, alpha, beta, accumulate, tile);
        } else if (tileRows == 6) {
            kernel6x4(kc, ap, aIdx, bp, b, c, cOff + (long) i * ldc + j, ldc, mr, nr, alpha, beta, accumulate, tile);
        } else {
            kernel4x4(kc, ap, aIdx, bp, b, c, cOff + (long) i * ldc + j, ldc, mr, nr, alpha, beta, accumulate, tile);
        }
    }

    /** Packs rows [i0, i0 + mc) x columns [p0, p0 + kc) of op(A) as MR-row panels, column by column. */
    @Override
    void packA(int i0, int mc, int p0, int kc) {
        boolean trans = transA;
        long off = aOff;
        double[] ap = this.ap;
        int mr = tileRows;
        for (int ir = 0; ir < mc; ir += mr) {
            int rows = Math.min(mr, mc - ir);
            int base = ir * kc;
            if (trans && WIDE) {
                // the panel's mr rows of op(A) at p are contiguous in A: masked vector moves, zero past the edge
                for (int v = 0; v < mr; v += L) {
                    VectorMask<Double> load = SPECIES.indexInRange(v, rows);
                    VectorMask<Double> store = SPECIES.indexInRange(v, mr);
                    for (int p = 0; p < kc; p++) {
                        long src = off + (long) (p0 + p) * lda + i0 + ir + v;
                        DoubleVector.fromMemorySegment(SPECIES, a, src * Double.BYTES, LE, load)
                                .intoArray(ap, base + p * mr + v, store);
                    }
                }
            } else if (trans) {
                for (int p = 0; p < kc; p++) {
                    long src = off + (long) (p0 + p) * lda + i0 + ir;
                    int dst = base + p * mr;
                    for (int r = 0; r < rows; r++) {
                        ap[dst + r] = a.getAtIndex(E, src + r);
                    }
                    for (int r = rows; r < mr; r++) {
                        ap[dst + r] = 0;
                    }
                }
            } else {
                int p = 0;
                if (WIDE) {
                    // L columns of the panel at a time: its rows' L elements copied to a staging block in L1 by
                    // vector moves, then the panel's mr x L elements, contiguous, gathered from it vector by vector
                    // (a scatter per row and L columns before: 1.2x scalar moves on 2048 x 48 x 512, bench/RESULTS.md
                    // 2026-12-05 10:30; the gathers cost about half of the scatters)
                    double[] stage = this.stage;
                    int[][] order = PANEL_ORDER[mr];
                    Arrays.fill(stage, rows * L, mr * L, 0);
                    for (; p + L <= kc; p += L) {
                        for (int r = 0; r < rows; r++) {
                            DoubleVector.fromMemorySegment(SPECIES, a, (off + (long) (i0 + ir + r) * lda + p0 + p)
                                    * Double.BYTES, LE).intoArray(stage, r * L);
                        }
                        int dst = base + p * mr;
                        for (int v = 0; v < mr; v++) {
                            DoubleVector.fromArray(SPECIES, stage, 0, order[v], 0).intoArray(ap, dst + v * L);
                        }
                    }
                }
                for (int r = 0; r < mr; r++) {
                    long src = off + (long) (i0 + ir + r) * lda + p0;
                    for (int q = p; q < kc; q++) {
                        ap[base + q * mr + r] = r < rows ? a.getAtIndex(E, src + q) : 0;
                    }
                }
            }
        }
    }

    /** Packs rows [p0, p0 + kc) x columns [j0, j0 + nc) of op(B) as NR-column panels, row by row. */
    @Override
    void packB(int p0, int kc, int j0, int nc) {
        boolean trans = transB;
        long off = bOff;
        double[] bp = this.bp;
        int w = this.nr;
        for (int jr = 0; jr < nc; jr += w) {
            int cols = Math.min(w, nc - jr);
            int base = bStart + jr * kc;
            if (trans) {
                packTransposedPanel(p0, kc, j0 + jr, cols, base);
            } else if (cols == w) {
                // vector moves: a MemorySegment.copy per 256-byte row costs more than the bytes it moves
                // 2 to 4 vectors, unrolled: a loop over a width that is not a constant ran 5x slower under C2
                for (int p = 0; p < kc; p++) {
                    long src = (off + (long) (p0 + p) * ldb + j0 + jr) * Double.BYTES;
                    int dst = base + p * w;
                    DoubleVector.fromMemorySegment(SPECIES, b, src, LE).intoArray(bp, dst);
                    DoubleVector.fromMemorySegment(SPECIES, b, src + L * Double.BYTES, LE).intoArray(bp, dst + L);
                    if (w > 2 * L) {
                        DoubleVector.fromMemorySegment(SPECIES, b, src + 2 * L * Double.BYTES, LE).intoArray(bp, dst + 2 * L);
                    }
                    if (w > 3 * L) {
                        DoubleVector.fromMemorySegment(SPECIES, b, src + 3 * L * Double.BYTES, LE).intoArray(bp, dst + 3 * L);
                    }
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    long src = off + (long) (p0 + p) * ldb + j0 + jr;
                    int dst = base + p * w;
                    MemorySegment.copy(b, E, src * Double.BYTES, bp, dst, cols);
                    for (int col = cols; col < w; col++) {
                        bp[dst + col] = 0;
                    }
                }
            }
        }
    }

    /**
     * Packs rows [p0, p0 + kc) x columns [j, j + cols) of op(B) = B^T as one panel at element {@code base}: column
     * j + col of op(B) is row j + col of B, contiguous, so L rows of the panel at a time are transposed through a
     * staging block by vector loads and AVX-512 gathers (the element-by-element copy, one column at a time, ran at a
     * third of OpenBLAS on 256 x 512 x 784, bench/RESULTS.md 2026-12-05 13:15; a scatter per column of each L rows
     * then, until 2026-12-05 19:40). Columns past {@code cols} are zero.
     */
    private void packTransposedPanel(int p0, int kc, int j, int cols, int base) {
        double[] bp = this.bp;
        int w = this.nr;
        long src0 = bOff + (long) j * ldb + p0;
        int p = 0;
        if (WIDE) {
            // an L x w block of the panel at a time: its w columns' L elements copied to a staging block in L1 by
            // vector moves, then each row of the panel gathered from it (lanes L apart) and stored whole; a
            // gather costs about half of the scatter that wrote each column into the panel before
            double[] stage = this.stage;
            int[] spread = SPREAD[L];
            if (cols < w) {
                Arrays.fill(stage, cols * L, w * L, 0);
            }
            for (; p + L <= kc; p += L) {
                for (int col = 0; col < cols; col++) {
                    DoubleVector.fromMemorySegment(SPECIES, b, (src0 + col * ldb + p) * Double.BYTES, LE)
                            .intoArray(stage, col * L);
                }
                int dst = base + p * w;
                // 2 to 4 vectors per panel row, unrolled (see packB)
                for (int i = 0; i < L; i++, dst += w) {
                    DoubleVector.fromArray(SPECIES, stage, i, spread, 0).intoArray(bp, dst);
                    DoubleVector.fromArray(SPECIES, stage, i + L * L, spread, 0).intoArray(bp, dst + L);
                    if (w > 2 * L) {
                        DoubleVector.fromArray(SPECIES, stage, i + 2 * L * L, spread, 0).intoArray(bp, dst + 2 * L);
                    }
                    if (w > 3 * L) {
                        DoubleVector.fromArray(SPECIES, stage, i + 3 * L * L, spread, 0).intoArray(bp, dst + 3 * L);
                    }
                }
            }
        }
        for (; p < kc; p++) {
            int dst = base + p * w;
            for (int col = 0; col < cols; col++) {
                bp[dst + col] = b.getAtIndex(E, src0 + col * ldb + p);
            }
        }
        for (p = 0; p < kc && cols < w; p++) {
            Arrays.fill(bp, base + p * w + cols, base + (p + 1) * w, 0);
        }
    }

    /** C[0:mr, 0:nr] (at element cIdx, row stride ldc) = alpha * A_panel B_panel + (beta C or C), 6 x 2 vectors. */
    private static void kernel6x2(int kc, double[] ap, int aBase, double[] bp, int bBase, MemorySegment c, long cIdx,
            long ldc, int mr, int nr, double alpha, double beta, boolean accumulate, double[] tile) {
        final int W2 = 2 * L;
        DoubleVector c00 = DoubleVector.zero(SPECIES), c01 = c00;
        DoubleVector c10 = c00, c11 = c00;
        DoubleVector c20 = c00, c21 = c00;
        DoubleVector c30 = c00, c31 = c00;
        DoubleVector c40 = c00, c41 = c00;
        DoubleVector c50 = c00, c51 = c00;
        for (int p = 0; p < kc; p++) {
            int bi = bBase + p * W2;
            int ai = aBase + p * 6;
            DoubleVector b0 = DoubleVector.fromArray(SPECIES, bp, bi);
            DoubleVector b1 = DoubleVector.fromArray(SPECIES, bp, bi + L);
            DoubleVector a0 = DoubleVector.broadcast(SPECIES, ap[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            DoubleVector a1 = DoubleVector.broadcast(SPECIES, ap[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            DoubleVector a2 = DoubleVector.broadcast(SPECIES, ap[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            DoubleVector a3 = DoubleVector.broadcast(SPECIES, ap[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            DoubleVector a4 = DoubleVector.broadcast(SPECIES, ap[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            DoubleVector a5 = DoubleVector.broadcast(SPECIES, ap[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, 0 + L);
        c10.intoArray(tile, W2);
        c11.intoArray(tile, W2 + L);
        c20.intoArray(tile, 2 * W2);
        c21.intoArray(tile, 2 * W2 + L);
        c30.intoArray(tile, 3 * W2);
        c31.intoArray(tile, 3 * W2 + L);
        c40.intoArray(tile, 4 * W2);
        c41.intoArray(tile, 4 * W2 + L);
        c50.intoArray(tile, 5 * W2);
        c51.intoArray(tile, 5 * W2 + L);
        update(tile, W2, c, cIdx, ldc, mr, nr, alpha, beta, accumulate);
    }

    /**
     * The 8 x 3-vector tile (24 accumulators, 8 broadcasts and 3 loads per 24 FMAs): the B panel it streams
     * is 3 vectors wide, a quarter less L2 traffic per FMA than the 6 x 4 tile.
     */
    private static void kernel8x3(int kc, double[] ap, int aBase, double[] bp, int bBase, MemorySegment c, long cIdx,
            long ldc, int mr, int nr, double alpha, double beta, boolean accumulate, double[] tile) {
        final int W3 = 3 * L;
        DoubleVector c00 = DoubleVector.zero(SPECIES), c01 = c00, c02 = c00;
        DoubleVector c10 = c00, c11 = c00, c12 = c00;
        DoubleVector c20 = c00, c21 = c00, c22 = c00;
        DoubleVector c30 = c00, c31 = c00, c32 = c00;
        DoubleVector c40 = c00, c41 = c00, c42 = c00;
        DoubleVector c50 = c00, c51 = c00, c52 = c00;
        DoubleVector c60 = c00, c61 = c00, c62 = c00;
        DoubleVector c70 = c00, c71 = c00, c72 = c00;
        for (int p = 0; p < kc; p++) {
            int bi = bBase + p * W3;
            int ai = aBase + p * 8;
            DoubleVector b0 = DoubleVector.fromArray(SPECIES, bp, bi);
            DoubleVector b1 = DoubleVector.fromArray(SPECIES, bp, bi + L);
            DoubleVector b2 = DoubleVector.fromArray(SPECIES, bp, bi + 2 * L);
            DoubleVector a0 = DoubleVector.broadcast(SPECIES, ap[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            DoubleVector a1 = DoubleVector.broadcast(SPECIES, ap[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            DoubleVector a2 = DoubleVector.broadcast(SPECIES, ap[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            DoubleVector a3 = DoubleVector.broadcast(SPECIES, ap[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
            DoubleVector a4 = DoubleVector.broadcast(SPECIES, ap[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            c42 = a4.fma(b2, c42);
            DoubleVector a5 = DoubleVector.broadcast(SPECIES, ap[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            c52 = a5.fma(b2, c52);
            DoubleVector a6 = DoubleVector.broadcast(SPECIES, ap[ai + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            c62 = a6.fma(b2, c62);
            DoubleVector a7 = DoubleVector.broadcast(SPECIES, ap[ai + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
            c72 = a7.fma(b2, c72);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c02.intoArray(tile, 2 * L);
        c10.intoArray(tile, W3);
        c11.intoArray(tile, W3 + L);
        c12.intoArray(tile, W3 + 2 * L);
        c20.intoArray(tile, 2 * W3);
        c21.intoArray(tile, 2 * W3 + L);
        c22.intoArray(tile, 2 * W3 + 2 * L);
        c30.intoArray(tile, 3 * W3);
        c31.intoArray(tile, 3 * W3 + L);
        c32.intoArray(tile, 3 * W3 + 2 * L);
        c40.intoArray(tile, 4 * W3);
        c41.intoArray(tile, 4 * W3 + L);
        c42.intoArray(tile, 4 * W3 + 2 * L);
        c50.intoArray(tile, 5 * W3);
        c51.intoArray(tile, 5 * W3 + L);
        c52.intoArray(tile, 5 * W3 + 2 * L);
        c60.intoArray(tile, 6 * W3);
        c61.intoArray(tile, 6 * W3 + L);
        c62.intoArray(tile, 6 * W3 + 2 * L);
        c70.intoArray(tile, 7 * W3);
        c71.intoArray(tile, 7 * W3 + L);
        c72.intoArray(tile, 7 * W3 + 2 * L);
        update(tile, W3, c, cIdx, ldc, mr, nr, alpha, beta, accumulate);
    }

    /**
     * The 12 x 2-vector tile (24 accumulators, 12 broadcasts and 2 loads per 24 FMAs): the B panel it streams
     * is 2 vectors wide, a third less L2 traffic per FMA than the 8 x 3 tile's.
     */
    private static void kernel12x2(int kc, double[] ap, int aBase, double[] bp, int bBase, MemorySegment c, long cIdx,
            long ldc, int mr, int nr, double alpha, double beta, boolean accumulate, double[] tile) {
        final int W2 = 2 * L;
        DoubleVector c00 = DoubleVector.zero(SPECIES), c01 = c00;
        DoubleVector c10 = c00, c11 = c00;
        DoubleVector c20 = c00, c21 = c00;
        DoubleVector c30 = c00, c31 = c00;
        DoubleVector c40 = c00, c41 = c00;
        DoubleVector c50 = c00, c51 = c00;
        DoubleVector c60 = c00, c61 = c00;
        DoubleVector c70 = c00, c71 = c00;
        DoubleVector c80 = c00, c81 = c00;
        DoubleVector c90 = c00, c91 = c00;
        DoubleVector c100 = c00, c101 = c00;
        DoubleVector c110 = c00, c111 = c00;
        for (int p = 0; p < kc; p++) {
            int bi = bBase + p * W2;
            int ai = aBase + p * 12;
            DoubleVector b0 = DoubleVector.fromArray(SPECIES, bp, bi);
            DoubleVector b1 = DoubleVector.fromArray(SPECIES, bp, bi + L);
            DoubleVector a0 = DoubleVector.broadcast(SPECIES, ap[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            DoubleVector a1 = DoubleVector.broadcast(SPECIES, ap[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            DoubleVector a2 = DoubleVector.broadcast(SPECIES, ap[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            DoubleVector a3 = DoubleVector.broadcast(SPECIES, ap[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            DoubleVector a4 = DoubleVector.broadcast(SPECIES, ap[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            DoubleVector a5 = DoubleVector.broadcast(SPECIES, ap[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            DoubleVector a6 = DoubleVector.broadcast(SPECIES, ap[ai + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            DoubleVector a7 = DoubleVector.broadcast(SPECIES, ap[ai + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
            DoubleVector a8 = DoubleVector.broadcast(SPECIES, ap[ai + 8]);
            c80 = a8.fma(b0, c80);
            c81 = a8.fma(b1, c81);
            DoubleVector a9 = DoubleVector.broadcast(SPECIES, ap[ai + 9]);
            c90 = a9.fma(b0, c90);
            c91 = a9.fma(b1, c91);
            DoubleVector a10 = DoubleVector.broadcast(SPECIES, ap[ai + 10]);
            c100 = a10.fma(b0, c100);
            c101 = a10.fma(b1, c101);
            DoubleVector a11 = DoubleVector.broadcast(SPECIES, ap[ai + 11]);
            c110 = a11.fma(b0, c110);
            c111 = a11.fma(b1, c111);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, W2);
        c11.intoArray(tile, W2 + L);
        c20.intoArray(tile, 2 * W2);
        c21.intoArray(tile, 2 * W2 + L);
        c30.intoArray(tile, 3 * W2);
        c31.intoArray(tile, 3 * W2 + L);
        c40.intoArray(tile, 4 * W2);
        c41.intoArray(tile, 4 * W2 + L);
        c50.intoArray(tile, 5 * W2);
        c51.intoArray(tile, 5 * W2 + L);
        c60.intoArray(tile, 6 * W2);
        c61.intoArray(tile, 6 * W2 + L);
        c70.intoArray(tile, 7 * W2);
        c71.intoArray(tile, 7 * W2 + L);
        c80.intoArray(tile, 8 * W2);
        c81.intoArray(tile, 8 * W2 + L);
        c90.intoArray(tile, 9 * W2);
        c91.intoArray(tile, 9 * W2 + L);
        c100.intoArray(tile, 10 * W2);
        c101.intoArray(tile, 10 * W2 + L);
        c110.intoArray(tile, 11 * W2);
        c111.intoArray(tile, 11 * W2 + L);
        update(tile, W2, c, cIdx, ldc, mr, nr, alpha, beta, accumulate);
    }

    /** The 4 x 4-vector tile. */
    private static void kernel4x4(int kc, double[] ap, int aBase, double[] bp, int bBase, MemorySegment c, long cIdx, long ldc,
            int mr, int nr, double alpha, double beta, boolean accumulate, double[] tile) {
        final int W4 = 4 * L;
        DoubleVector c00 = DoubleVector.zero(SPECIES), c01 = c00, c02 = c00, c03 = c00;
        DoubleVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        DoubleVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        DoubleVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        for (int p = 0; p < kc; p++) {
            int bi = bBase + p * W4;
            int ai = aBase + p * 4;
            DoubleVector b0 = DoubleVector.fromArray(SPECIES, bp, bi);
            DoubleVector b1 = DoubleVector.fromArray(SPECIES, bp, bi + L);
            DoubleVector b2 = DoubleVector.fromArray(SPECIES, bp, bi + 2 * L);
            DoubleVector b3 = DoubleVector.fromArray(SPECIES, bp, bi + 3 * L);
            DoubleVector a0 = DoubleVector.broadcast(SPECIES, ap[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            DoubleVector a1 = DoubleVector.broadcast(SPECIES, ap[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            c13 = a1.fma(b3, c13);
            DoubleVector a2 = DoubleVector.broadcast(SPECIES, ap[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            c23 = a2.fma(b3, c23);
            DoubleVector a3 = DoubleVector.broadcast(SPECIES, ap[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
            c33 = a3.fma(b3, c33);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c02.intoArray(tile, 2 * L);
        c03.intoArray(tile, 3 * L);
        c10.intoArray(tile, W4);
        c11.intoArray(tile, W4 + L);
        c12.intoArray(tile, W4 + 2 * L);
        c13.intoArray(tile, W4 + 3 * L);
        c20.intoArray(tile, 2 * W4);
        c21.intoArray(tile, 2 * W4 + L);
        c22.intoArray(tile, 2 * W4 + 2 * L);
        c23.intoArray(tile, 2 * W4 + 3 * L);
        c30.intoArray(tile, 3 * W4);
        c31.intoArray(tile, 3 * W4 + L);
        c32.intoArray(tile, 3 * W4 + 2 * L);
        c33.intoArray(tile, 3 * W4 + 3 * L);
        update(tile, W4, c, cIdx, ldc, mr, nr, alpha, beta, accumulate);
    }

    /** The 6 x 4-vector tile (24 accumulators, 6 broadcasts and 4 loads per 24 FMAs). */
    private static void kernel6x4(int kc, double[] ap, int aBase, double[] bp, int bBase, MemorySegment c, long cIdx, long ldc,
            int mr, int nr, double alpha, double beta, boolean accumulate, double[] tile) {
        final int W4 = 4 * L;
        DoubleVector c00 = DoubleVector.zero(SPECIES), c01 = c00, c02 = c00, c03 = c00;
        DoubleVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        DoubleVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        DoubleVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        DoubleVector c40 = c00, c41 = c00, c42 = c00, c43 = c00;
        DoubleVector c50 = c00, c51 = c00, c52 = c00, c53 = c00;
        for (int p = 0; p < kc; p++) {
            int bi = bBase + p * W4;
            int ai = aBase + p * 6;
            DoubleVector b0 = DoubleVector.fromArray(SPECIES, bp, bi);
            DoubleVector b1 = DoubleVector.fromArray(SPECIES, bp, bi + L);
            DoubleVector b2 = DoubleVector.fromArray(SPECIES, bp, bi + 2 * L);
            DoubleVector b3 = DoubleVector.fromArray(SPECIES, bp, bi + 3 * L);
            DoubleVector a0 = DoubleVector.broadcast(SPECIES, ap[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            DoubleVector a1 = DoubleVector.broadcast(SPECIES, ap[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            c13 = a1.fma(b3, c13);
            DoubleVector a2 = DoubleVector.broadcast(SPECIES, ap[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            c23 = a2.fma(b3, c23);
            DoubleVector a3 = DoubleVector.broadcast(SPECIES, ap[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
            c33 = a3.fma(b3, c33);
            DoubleVector a4 = DoubleVector.broadcast(SPECIES, ap[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            c42 = a4.fma(b2, c42);
            c43 = a4.fma(b3, c43);
            DoubleVector a5 = DoubleVector.broadcast(SPECIES, ap[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            c52 = a5.fma(b2, c52);
            c53 = a5.fma(b3, c53);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c02.intoArray(tile, 2 * L);
        c03.intoArray(tile, 3 * L);
        c10.intoArray(tile, W4);
        c11.intoArray(tile, W4 + L);
        c12.intoArray(tile, W4 + 2 * L);
        c13.intoArray(tile, W4 + 3 * L);
        c20.intoArray(tile, 2 * W4);
        c21.intoArray(tile, 2 * W4 + L);
        c22.intoArray(tile, 2 * W4 + 2 * L);
        c23.intoArray(tile, 2 * W4 + 3 * L);
        c30.intoArray(tile, 3 * W4);
        c31.intoArray(tile, 3 * W4 + L);
        c32.intoArray(tile, 3 * W4 + 2 * L);
        c33.intoArray(tile, 3 * W4 + 3 * L);
        c40.intoArray(tile, 4 * W4);
        c41.intoArray(tile, 4 * W4 + L);
        c42.intoArray(tile, 4 * W4 + 2 * L);
        c43.intoArray(tile, 4 * W4 + 3 * L);
        c50.intoArray(tile, 5 * W4);
        c51.intoArray(tile, 5 * W4 + L);
        c52.intoArray(tile, 5 * W4 + 2 * L);
        c53.intoArray(tile, 5 * W4 + 3 * L);
        update(tile, W4, c, cIdx, ldc, mr, nr, alpha, beta, accumulate);
    }

    /**
     * C[0:mr, 0:nr] = alpha * tile + (beta C, or C when accumulating), row r of the tile at {@code r * ts}. A
     * separate method so the kernel stays small enough for C2 to keep its accumulators in registers.
     */
    private static void update(double[] tile, int ts, MemorySegment c, long cIdx, long ldc, int mr, int nr, double alpha,
            double beta, boolean accumulate) {
        boolean readC = accumulate || beta != 0;
        double betaC = accumulate ? 1 : beta;
        for (int r = 0; r < mr; r++) {
            long row = (cIdx + r * ldc) * Double.BYTES;
            int v = 0;
            for (; v + L <= nr; v += L) {
                DoubleVector acc = DoubleVector.fromArray(SPECIES, tile, r * ts + v).mul(alpha);
                long at = row + v * Double.BYTES;
                if (readC) {
                    acc = DoubleVector.fromMemorySegment(SPECIES, c, at, LE).mul(betaC).add(acc);
                }
                acc.intoMemorySegment(c, at, LE);
            }
            if (v < nr) {
                VectorMask<Double> mask = SPECIES.indexInRange(v, nr);
                DoubleVector acc = DoubleVector.fromArray(SPECIES, tile, r * ts + v).mul(alpha);
                long at = row + v * Double.BYTES;
                if (readC) {
                    acc = DoubleVector.fromMemorySegment(SPECIES, c, at, LE, mask).mul(betaC).add(acc);
                }
                acc.intoMemorySegment(c, at, LE, mask);
            }
        }
    }
}
