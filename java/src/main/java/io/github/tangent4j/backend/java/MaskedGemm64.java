package io.github.tangent4j.backend.java;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The double-precision kernel of {@link MaskedGemm}: {@code C = alpha (A (.) S) B} one example at a time over the
 * nonzero entries of its row of S only. B (k x n) is packed once into column panels of {@link #NR} (two vectors)
 * shared by every thread; per example, the columns of its r rows of A where S is nonzero are gathered, scaled by S
 * and packed in tiles of at most {@link #MR} rows, and a register tile of 12 or 10 rows x 2 vectors (up to 24
 * accumulators, a broadcast per row and 2 loads per 2 FMAs a row, as {@link VectorGemm64}'s widest tile) runs down
 * the packed B rows those columns name, a few examples over each panel in turn. Needs 512-bit vectors (32 registers);
 * {@link MaskedGemm} checks.
 */
final class MaskedGemm64 {
    static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    static final int L = SPECIES.length();
    /** The most rows of a register tile: an example's r rows run in tiles of MR, the last padded to 10 or 12. */
    static final int MR = 12;
    /** The columns of the register tile, the width of a packed B panel. */
    static final int NR = 2 * L;
    private static final ValueLayout.OfDouble E = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ThreadLocal<double[]> PACKED_B = ThreadLocal.withInitial(() -> new double[0]);
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final int r;
    /** A's rows per example: r, or 0 where every example shares one block. */
    private final int aRows;
    private final int k;
    private final int n;
    private final double alpha;
    private final MemorySegment a;
    private final MemorySegment s;
    private final MemorySegment c;
    private final double[] bp;
    private final int bStart;

    private MaskedGemm64(int r, int aRows, int k, int n, double alpha, MemorySegment a, MemorySegment s,
            MemorySegment c, double[] bp) {
        this.r = r;
        this.aRows = aRows;
        this.k = k;
        this.n = n;
        this.alpha = alpha;
        this.a = a;
        this.s = s;
        this.c = c;
        this.bp = bp;
        this.bStart = ArrayAlignment.shift(bp);
    }

    /**
     * {@code C = alpha (A (.) S) B} for {@code examples} examples of r rows: A (examples*r x k, or r x k when
     * {@code shared}: one block for every example), S (examples x k), B (k x n), C (examples*r x n), all row-major
     * and dense, C not overlapping the others.
     */
    static void multiply(int examples, int r, int k, int n, double alpha, MemorySegment a, boolean shared,
            MemorySegment s, MemorySegment b, MemorySegment c) {
        int panels = (n + NR - 1) / NR;
        int size = panels * k * NR + ArrayAlignment.BYTES / Double.BYTES;
        double[] bp = PACKED_B.get();
        if (bp.length < size) {
            bp = new double[size];
            if ((long) size * Double.BYTES <= MaskedGemm.KEPT_PACKED_B_BYTES) {
                PACKED_B.set(bp);
            }
        }
        MaskedGemm64 call = new MaskedGemm64(r, shared ? 0 : r, k, n, alpha, a, s, c, bp);
        MaskedGemm.parallel(panels, MaskedGemm.PANELS_PER_PART, (from, to) -> call.packB(b, from, to));
        long tileBytes = (long) MR * k * Double.BYTES;
        MaskedGemm.parallel(examples, MaskedGemm.examplesPerPart(tileBytes * call.tiles()), call::examples);
    }

    /** The register tiles an example's r rows take: tiles of MR rows, the last of {@code r - (tiles - 1) * MR}. */
    private int tiles() {
        return (r + MR - 1) / MR;
    }

    /** Packs B's column panels {@code from .. to - 1}, zero-padded past column n. */
    private void packB(MemorySegment b, int from, int to) {
        for (int panel = from; panel < to; panel++) {
            int j = panel * NR;
            int base = bStart + panel * k * NR;
            for (int p = 0; p < k; p++) {
                long row = ((long) p * n + j) * Double.BYTES;
                for (int v = 0; v < NR; v += L) {
                    VectorMask<Double> inRange = SPECIES.indexInRange(j + v, n);
                    DoubleVector.fromMemorySegment(SPECIES, b, row + (long) v * Double.BYTES, LE, inRange)
                            .intoArray(bp, base + p * NR + v);
                }
            }
        }
    }

    /**
     * The examples {@code from .. to - 1}: their nonzero columns gathered and their rows of A packed once, then B
     * panel by panel, every example of the range over each panel while it is in L1 and L2.
     */
    private void examples(int from, int to) {
        int tiles = tiles();
        Scratch w = SCRATCH.get().fit(to - from, tiles, k);
        for (int e = from; e < to; e++) {
            int local = e - from;
            w.gather(s, (long) e * k, k, local);
            for (int tile = 0; tile < tiles; tile++) {
                int r0 = tile * MR;
                int rows = Math.min(MR, r - r0);
                w.packA(a, ((long) e * aRows + r0) * k, k, rows, MaskedGemm.height(rows), local, local * tiles + tile);
            }
        }
        int panels = (n + NR - 1) / NR;
        for (int panel = 0; panel < panels; panel++) {
            int bBase = bStart + panel * k * NR;
            for (int e = from; e < to; e++) {
                int local = e - from;
                int nnz = w.nnz[local];
                for (int tile = 0; tile < tiles; tile++) {
                    int r0 = tile * MR;
                    int rows = Math.min(MR, r - r0);
                    int apBase = (local * tiles + tile) * MR * k;
                    if (MaskedGemm.height(rows) == MR) {
                        kernel12(nnz, w.ap, apBase, w.idx, local * k, bp, bBase, w.tile);
                    } else {
                        kernel10(nnz, w.ap, apBase, w.idx, local * k, bp, bBase, w.tile);
                    }
                    store(w.tile, (long) e * r + r0, rows, panel * NR);
                }
            }
        }
    }

    /**
     * The 12 x 2-vector tile (24 accumulators, 12 broadcasts and 2 loads per 24 FMAs, as VectorGemm64's widest)
     * over the nnz packed columns of A at {@code aBase}: row q of the tile at {@code q * NR} of {@code tile}. B's rows
     * are those {@code idx} names from {@code idxBase} on, in the panel at {@code bBase}.
     */
    private static void kernel12(int nnz, double[] ap, int aBase, int[] idx, int idxBase, double[] bp, int bBase,
            double[] tile) {
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
        for (int t = 0; t < nnz; t++) {
            int bi = bBase + idx[idxBase + t] * NR;
            int ai = aBase + t * 12;
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
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
        c60.intoArray(tile, 6 * NR);
        c61.intoArray(tile, 6 * NR + L);
        c70.intoArray(tile, 7 * NR);
        c71.intoArray(tile, 7 * NR + L);
        c80.intoArray(tile, 8 * NR);
        c81.intoArray(tile, 8 * NR + L);
        c90.intoArray(tile, 9 * NR);
        c91.intoArray(tile, 9 * NR + L);
        c100.intoArray(tile, 10 * NR);
        c101.intoArray(tile, 10 * NR + L);
        c110.intoArray(tile, 11 * NR);
        c111.intoArray(tile, 11 * NR + L);
    }

    /**
     * The 10 x 2-vector tile (20 accumulators: an example of at most 10 rows, such as a 10-class output, without the
     * 12-row tile's idle rows)
     * over the nnz packed columns of A at {@code aBase}: row q of the tile at {@code q * NR} of {@code tile}. B's rows
     * are those {@code idx} names from {@code idxBase} on, in the panel at {@code bBase}.
     */
    private static void kernel10(int nnz, double[] ap, int aBase, int[] idx, int idxBase, double[] bp, int bBase,
            double[] tile) {
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
        for (int t = 0; t < nnz; t++) {
            int bi = bBase + idx[idxBase + t] * NR;
            int ai = aBase + t * 10;
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
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
        c60.intoArray(tile, 6 * NR);
        c61.intoArray(tile, 6 * NR + L);
        c70.intoArray(tile, 7 * NR);
        c71.intoArray(tile, 7 * NR + L);
        c80.intoArray(tile, 8 * NR);
        c81.intoArray(tile, 8 * NR + L);
        c90.intoArray(tile, 9 * NR);
        c91.intoArray(tile, 9 * NR + L);
    }

    /** C[row0 .. row0 + rows - 1, j .. j + NR - 1] = alpha * tile, masked at column n. */
    private void store(double[] tile, long row0, int rows, int j) {
        for (int q = 0; q < rows; q++) {
            long at = ((row0 + q) * n + j) * Double.BYTES;
            for (int v = 0; v < NR; v += L) {
                DoubleVector acc = DoubleVector.fromArray(SPECIES, tile, q * NR + v).mul(alpha);
                if (j + v + L <= n) {
                    acc.intoMemorySegment(c, at + (long) v * Double.BYTES, LE);
                } else if (j + v < n) {
                    acc.intoMemorySegment(c, at + (long) v * Double.BYTES, LE, SPECIES.indexInRange(j + v, n));
                }
            }
        }
    }

    /**
     * One thread's buffers for a range of examples: each example's nonzero columns of S (at {@code e * k} of
     * {@link #idx}) and their count, its rows of A packed per register tile (at {@code (e * tiles + tile) * MR * k}
     * of {@link #ap}); the factors and rows of A of the example being packed; the tile.
     */
    private static final class Scratch {
        int[] idx = new int[0];
        int[] nnz = new int[0];
        double[] factor = new double[0];
        double[] rows = new double[0];
        double[] ap = new double[0];
        final double[] tile = new double[MR * NR];

        Scratch fit(int examples, int tiles, int k) {
            if (idx.length < examples * k || nnz.length < examples) {
                idx = new int[examples * k];
                nnz = new int[examples];
            }
            if (factor.length < k) {
                factor = new double[k];
                rows = new double[k * MR];
            }
            if (ap.length < examples * tiles * MR * k) {
                ap = new double[examples * tiles * MR * k];
            }
            return this;
        }

        /**
         * Records the nonzero entries of S's row at {@code sIdx} (elements) as example {@code local}'s, without a
         * branch on the entries (half of them zero, at random, behind a ReLU layer).
         */
        void gather(MemorySegment s, long sIdx, int k, int local) {
            MemorySegment.copy(s, E, sIdx * Double.BYTES, factor, 0, k);
            int count = 0;
            int base = local * k;
            for (int p = 0; p < k; p++) {
                double v = factor[p];
                idx[base + count] = p;
                factor[count] = v;
                count += v != 0 ? 1 : 0;
            }
            nnz[local] = count;
        }

        /**
         * Packs the columns of A's {@code count} rows from element {@code aIdx} (rows of k) that example
         * {@code local} gathered last, scaled by their factors, as its nnz columns of {@code height} rows from
         * {@code slot * MR * k} on: row q of column t at {@code t * height + q}, rows past {@code count} zero.
         */
        void packA(MemorySegment a, long aIdx, int k, int count, int height, int local, int slot) {
            MemorySegment.copy(a, E, aIdx * Double.BYTES, rows, 0, count * k);
            int base = slot * MR * k;
            int idxBase = local * k;
            for (int t = 0, end = nnz[local]; t < end; t++) {
                int p = idx[idxBase + t];
                double f = factor[t];
                int at = base + t * height;
                for (int q = 0; q < count; q++) {
                    ap[at + q] = rows[q * k + p] * f;
                }
                for (int q = count; q < height; q++) {
                    ap[at + q] = 0;
                }
            }
        }
    }
}
