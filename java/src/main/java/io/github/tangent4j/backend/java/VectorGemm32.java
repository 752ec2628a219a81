package io.github.tangent4j.backend.java;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-threaded single-precision GEMM on the Vector API, after Goto and van de Geijn, "Anatomy of
 * High-Performance Matrix Multiplication" (ACM TOMS 34(3), 2008): op(B) is packed in KC x NC blocks of
 * NR-wide column panels (a KC x NR panel, 128 KB, is reused from L2 across all row panels of an A block),
 * op(A) in MC x KC blocks of MR-row panels (kept in L2 next to it), and an MR x NR register-blocked
 * micro-kernel of fused multiply-adds updates C.
 * Edges are zero-padded in the packed buffers; C is updated from a tile buffer, with masks at the edges.
 */
final class VectorGemm32 {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int L = SPECIES.length();
    static final int MR = 4;
    static final int NR = 4 * L;
    static final int KC = 512;
    static final int MC = 96;
    /**
     * Largest packed B block (elements; 1 MB) swept row panel by row panel: it stays in L2 while C is written
     * row by row. Small k (8..64) runs 1.1-2x faster this way than with the B-panel-outer order.
     */
    static final int L2_B_BLOCK = (1 << 20) / 4;
    static final int NC = 4096;
    private static final ValueLayout.OfFloat E = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ThreadLocal<float[]> PACKED_A = ThreadLocal.withInitial(() -> new float[MC * KC]);
    private static final ThreadLocal<float[]> PACKED_B = ThreadLocal.withInitial(() -> new float[KC * NC]);

    private VectorGemm32() {
    }

    static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, long aOff,
            long lda, MemorySegment b, long bOff, long ldb, float beta, MemorySegment c, long cOff, long ldc) {
        float[] ap = PACKED_A.get();
        float[] bp = PACKED_B.get();
        float[] tile = new float[MR * NR];
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(transB, b, bOff, ldb, pc, kc, jc, nc, bp);
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    packA(transA, a, aOff, lda, ic, mc, pc, kc, ap);
                    if ((long) kc * nc <= L2_B_BLOCK) {
                        // B block in L2: sweep C along its rows, the order its memory, TLB and prefetchers favour
                        for (int ir = 0; ir < mc; ir += MR) {
                            int mr = Math.min(MR, mc - ir);
                            for (int jr = 0; jr < nc; jr += NR) {
                                int nr = Math.min(NR, nc - jr);
                                kernel(kc, ap, ir * kc, bp, jr * kc, c, cOff + (long) (ic + ir) * ldc + jc + jr, ldc,
                                        mr, nr, alpha, beta, pc > 0, tile);
                            }
                        }
                    } else {
                        // each B panel (KC x NR) is reused from L2 by every row panel of the A block
                        for (int jr = 0; jr < nc; jr += NR) {
                            int nr = Math.min(NR, nc - jr);
                            for (int ir = 0; ir < mc; ir += MR) {
                                int mr = Math.min(MR, mc - ir);
                                kernel(kc, ap, ir * kc, bp, jr * kc, c, cOff + (long) (ic + ir) * ldc + jc + jr, ldc,
                                        mr, nr, alpha, beta, pc > 0, tile);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Packs rows [i0, i0 + mc) x columns [p0, p0 + kc) of op(A) as MR-row panels, column by column. */
    private static void packA(boolean trans, MemorySegment a, long off, long lda, int i0, int mc, int p0, int kc,
            float[] ap) {
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir);
            int base = ir * kc;
            if (trans) {
                for (int p = 0; p < kc; p++) {
                    long src = off + (long) (p0 + p) * lda + i0 + ir;
                    int dst = base + p * MR;
                    for (int r = 0; r < rows; r++) {
                        ap[dst + r] = a.getAtIndex(E, src + r);
                    }
                    for (int r = rows; r < MR; r++) {
                        ap[dst + r] = 0;
                    }
                }
            } else {
                for (int r = 0; r < MR; r++) {
                    if (r < rows) {
                        long src = off + (long) (i0 + ir + r) * lda + p0;
                        for (int p = 0; p < kc; p++) {
                            ap[base + p * MR + r] = a.getAtIndex(E, src + p);
                        }
                    } else {
                        for (int p = 0; p < kc; p++) {
                            ap[base + p * MR + r] = 0;
                        }
                    }
                }
            }
        }
    }

    /** Packs rows [p0, p0 + kc) x columns [j0, j0 + nc) of op(B) as NR-column panels, row by row. */
    private static void packB(boolean trans, MemorySegment b, long off, long ldb, int p0, int kc, int j0, int nc,
            float[] bp) {
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int base = jr * kc;
            if (trans) {
                for (int col = 0; col < NR; col++) {
                    if (col < cols) {
                        long src = off + (long) (j0 + jr + col) * ldb + p0;
                        for (int p = 0; p < kc; p++) {
                            bp[base + p * NR + col] = b.getAtIndex(E, src + p);
                        }
                    } else {
                        for (int p = 0; p < kc; p++) {
                            bp[base + p * NR + col] = 0;
                        }
                    }
                }
            } else if (cols == NR) {
                // vector moves: a MemorySegment.copy per 256-byte row costs more than the bytes it moves
                for (int p = 0; p < kc; p++) {
                    long src = (off + (long) (p0 + p) * ldb + j0 + jr) * 4;
                    int dst = base + p * NR;
                    for (int v = 0; v < NR; v += L) {
                        FloatVector.fromMemorySegment(SPECIES, b, src + v * 4, LE).intoArray(bp, dst + v);
                    }
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    long src = off + (long) (p0 + p) * ldb + j0 + jr;
                    int dst = base + p * NR;
                    MemorySegment.copy(b, E, src * 4, bp, dst, cols);
                    for (int col = cols; col < NR; col++) {
                        bp[dst + col] = 0;
                    }
                }
            }
        }
    }

    /** C[0:mr, 0:nr] (at element cIdx, row stride ldc) = alpha * A_panel B_panel + (beta C or C). */
    private static void kernel(int kc, float[] ap, int aBase, float[] bp, int bBase, MemorySegment c, long cIdx, long ldc,
            int mr, int nr, float alpha, float beta, boolean accumulate, float[] tile) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        for (int p = 0; p < kc; p++) {
            int bi = bBase + p * NR;
            int ai = aBase + p * MR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + L);
            FloatVector b2 = FloatVector.fromArray(SPECIES, bp, bi + 2 * L);
            FloatVector b3 = FloatVector.fromArray(SPECIES, bp, bi + 3 * L);
            FloatVector a0 = FloatVector.broadcast(SPECIES, ap[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            FloatVector a1 = FloatVector.broadcast(SPECIES, ap[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            c13 = a1.fma(b3, c13);
            FloatVector a2 = FloatVector.broadcast(SPECIES, ap[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            c23 = a2.fma(b3, c23);
            FloatVector a3 = FloatVector.broadcast(SPECIES, ap[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
            c33 = a3.fma(b3, c33);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c02.intoArray(tile, 2 * L);
        c03.intoArray(tile, 3 * L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c12.intoArray(tile, NR + 2 * L);
        c13.intoArray(tile, NR + 3 * L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c22.intoArray(tile, 2 * NR + 2 * L);
        c23.intoArray(tile, 2 * NR + 3 * L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c32.intoArray(tile, 3 * NR + 2 * L);
        c33.intoArray(tile, 3 * NR + 3 * L);
        update(tile, c, cIdx, ldc, mr, nr, alpha, beta, accumulate);
    }

    /**
     * C[0:mr, 0:nr] = alpha * tile + (beta C, or C when accumulating). A separate method so the kernel
     * stays small enough for C2 to keep its accumulators in registers.
     */
    private static void update(float[] tile, MemorySegment c, long cIdx, long ldc, int mr, int nr, float alpha,
            float beta, boolean accumulate) {
        boolean readC = accumulate || beta != 0;
        float betaC = accumulate ? 1 : beta;
        for (int r = 0; r < mr; r++) {
            long row = (cIdx + r * ldc) * 4;
            int v = 0;
            for (; v + L <= nr; v += L) {
                FloatVector acc = FloatVector.fromArray(SPECIES, tile, r * NR + v).mul(alpha);
                long at = row + v * 4;
                if (readC) {
                    acc = FloatVector.fromMemorySegment(SPECIES, c, at, LE).mul(betaC).add(acc);
                }
                acc.intoMemorySegment(c, at, LE);
            }
            if (v < nr) {
                VectorMask<Float> mask = SPECIES.indexInRange(v, nr);
                FloatVector acc = FloatVector.fromArray(SPECIES, tile, r * NR + v).mul(alpha);
                long at = row + v * 4;
                if (readC) {
                    acc = FloatVector.fromMemorySegment(SPECIES, c, at, LE, mask).mul(betaC).add(acc);
                }
                acc.intoMemorySegment(c, at, LE, mask);
            }
        }
    }
}
