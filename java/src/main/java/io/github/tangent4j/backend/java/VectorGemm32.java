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
 * NR-wide column panels (a panel stays in L1 across the row panels), op(A) in MC x KC blocks of MR-row
 * panels (kept in L2), and an MR x NR register-blocked micro-kernel of fused multiply-adds updates C.
 * Edges are zero-padded in the packed buffers and written back with masks.
 */
final class VectorGemm32 {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int L = SPECIES.length();
    static final int MR = 4;
    static final int NR = 4 * L;
    static final int KC = 512;
    static final int MC = 96;
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
        float[] edge = new float[MR * NR];
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(transB, b, bOff, ldb, pc, kc, jc, nc, bp);
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    packA(transA, a, aOff, lda, ic, mc, pc, kc, ap);
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        for (int ir = 0; ir < mc; ir += MR) {
                            int mr = Math.min(MR, mc - ir);
                            kernel(kc, ap, ir * kc, bp, jr * kc, c, cOff + (long) (ic + ir) * ldc + jc + jr, ldc, mr,
                                    nr, alpha, beta, pc > 0, edge);
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
            int mr, int nr, float alpha, float beta, boolean accumulate, float[] edge) {
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
        if (mr == MR && nr == NR) {
            long r0 = cIdx;
            long r1 = cIdx + ldc;
            long r2 = cIdx + 2 * ldc;
            long r3 = cIdx + 3 * ldc;
            store(c00, c, r0, alpha, beta, accumulate);
            store(c01, c, r0 + L, alpha, beta, accumulate);
            store(c02, c, r0 + 2 * L, alpha, beta, accumulate);
            store(c03, c, r0 + 3 * L, alpha, beta, accumulate);
            store(c10, c, r1, alpha, beta, accumulate);
            store(c11, c, r1 + L, alpha, beta, accumulate);
            store(c12, c, r1 + 2 * L, alpha, beta, accumulate);
            store(c13, c, r1 + 3 * L, alpha, beta, accumulate);
            store(c20, c, r2, alpha, beta, accumulate);
            store(c21, c, r2 + L, alpha, beta, accumulate);
            store(c22, c, r2 + 2 * L, alpha, beta, accumulate);
            store(c23, c, r2 + 3 * L, alpha, beta, accumulate);
            store(c30, c, r3, alpha, beta, accumulate);
            store(c31, c, r3 + L, alpha, beta, accumulate);
            store(c32, c, r3 + 2 * L, alpha, beta, accumulate);
            store(c33, c, r3 + 3 * L, alpha, beta, accumulate);
            return;
        }
        c00.intoArray(edge, 0);
        c01.intoArray(edge, L);
        c02.intoArray(edge, 2 * L);
        c03.intoArray(edge, 3 * L);
        c10.intoArray(edge, NR);
        c11.intoArray(edge, NR + L);
        c12.intoArray(edge, NR + 2 * L);
        c13.intoArray(edge, NR + 3 * L);
        c20.intoArray(edge, 2 * NR);
        c21.intoArray(edge, 2 * NR + L);
        c22.intoArray(edge, 2 * NR + 2 * L);
        c23.intoArray(edge, 2 * NR + 3 * L);
        c30.intoArray(edge, 3 * NR);
        c31.intoArray(edge, 3 * NR + L);
        c32.intoArray(edge, 3 * NR + 2 * L);
        c33.intoArray(edge, 3 * NR + 3 * L);
        for (int r = 0; r < mr; r++) {
            long row = cIdx + r * ldc;
            for (int v = 0; v < NR; v += L) {
                if (v >= nr) {
                    break;
                }
                VectorMask<Float> mask = SPECIES.indexInRange(v, nr);
                FloatVector acc = FloatVector.fromArray(SPECIES, edge, r * NR + v).mul(alpha);
                long at = (row + v) * 4;
                if (accumulate) {
                    acc = acc.add(FloatVector.fromMemorySegment(SPECIES, c, at, LE, mask));
                } else if (beta != 0) {
                    acc = FloatVector.fromMemorySegment(SPECIES, c, at, LE, mask).mul(beta).add(acc);
                }
                acc.intoMemorySegment(c, at, LE, mask);
            }
        }
    }

    private static void store(FloatVector acc, MemorySegment c, long idx, float alpha, float beta, boolean accumulate) {
        long at = idx * 4;
        FloatVector v = acc.mul(alpha);
        if (accumulate) {
            v = v.add(FloatVector.fromMemorySegment(SPECIES, c, at, LE));
        } else if (beta != 0) {
            v = FloatVector.fromMemorySegment(SPECIES, c, at, LE).mul(beta).add(v);
        }
        v.intoMemorySegment(c, at, LE);
    }
}
