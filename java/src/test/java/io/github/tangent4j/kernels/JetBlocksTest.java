package io.github.tangent4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link JetBlocks}: the scalar writer against the blocks {@code [[V, (E H)^T], [E G, H0 I + E M E^T]]} formed
 * by plain matrix products from random jets and bases, and the Vector API writer bit for bit against the
 * scalar one, for D below, at and past whole vectors (0, 3, 16, 21), both dtypes, all rows and the f rows
 * only; overflow of F32 is reported by both.
 */
class JetBlocksTest {
    private static final int[] DIMS = {0, 3, 16, 21};
    private static final int N2 = 13;
    private static final int POINTS = 3;

    @Test
    void scalarWriterEqualsTheBlocksFormedByMatrixProducts() {
        for (int d : DIMS) {
            Case k = new Case(d, 1);
            Tensor out = Tensor.allocate(DType.F64, POINTS * (d + 1), N2 * (d + 1));
            for (int i = 0; i < POINTS; i++) {
                assertTrue(JetBlocks.write(out, i, d + 1, k.e1[i], k.ys, k.pairs[i], k.jets[i], N2, false));
                for (int j = 0; j < N2; j++) {
                    double[][] want = k.block(i, j);
                    for (int a = 0; a <= d; a++) {
                        for (int c = 0; c <= d; c++) {
                            assertEquals(want[a][c], out.get((long) i * (d + 1) + a, (long) j * (d + 1) + c),
                                    1e-13 * (1 + Math.abs(want[a][c])), "d " + d + " point " + i + " pair " + j);
                        }
                    }
                }
            }
        }
    }

    @Test
    void vectorWriterGivesTheScalarWritersBits() {
        assumeTrue(JetBlocks.VECTOR, "the Vector API module is absent");
        for (int d : DIMS) {
            Case k = new Case(d, 1);
            for (DType dtype : new DType[] {DType.F32, DType.F64}) {
                for (int rows : new int[] {1, d + 1}) {
                    Tensor scalar = Tensor.allocate(dtype, POINTS * rows, N2 * (d + 1));
                    Tensor vector = Tensor.allocate(dtype, POINTS * rows, N2 * (d + 1));
                    for (int i = 0; i < POINTS; i++) {
                        assertTrue(JetBlocks.write(scalar, i, rows, k.e1[i], k.ys, k.pairs[i], k.jets[i], N2, false));
                        assertTrue(JetBlocks.write(vector, i, rows, k.e1[i], k.ys, k.pairs[i], k.jets[i], N2, true));
                    }
                    assertEquals(-1, scalar.segment().mismatch(vector.segment()), "d " + d + " " + dtype + " rows " + rows);
                }
            }
        }
    }

    @Test
    void bothWritersReportF32Overflow() {
        for (int d : DIMS) {
            Case k = new Case(d, 1e39);
            Tensor out = Tensor.allocate(DType.F32, d + 1, N2 * (d + 1));
            assertFalse(JetBlocks.write(out, 0, d + 1, k.e1[0], k.ys, k.pairs[0], k.jets[0], N2, false), "d " + d);
            if (JetBlocks.VECTOR) {
                assertFalse(JetBlocks.write(out, 0, d + 1, k.e1[0], k.ys, k.pairs[0], k.jets[0], N2, true), "d " + d);
            }
        }
    }

    /** Random row points' bases and jets against N2 column points, one of them collinear with each row point. */
    private static final class Case {
        final double[][] e1 = new double[POINTS][];
        final double[] ys;
        final double[][] pairs = new double[POINTS][];
        final double[][] jets = new double[POINTS][];
        final double[][][] e2 = new double[POINTS][N2][];
        final int d;

        Case(int d, double scale) {
            this.d = d;
            SplittableRandom rnd = new SplittableRandom(11 + d);
            double[] xs = gaussian(rnd, POINTS * d);
            ys = gaussian(rnd, N2 * d);
            for (int c = 0; c < d; c++) {
                ys[c] = -2 * xs[c]; // column point 0 collinear with row point 0: beta = 0, e2 = 0
            }
            for (int i = 0; i < POINTS; i++) {
                JacobianKernel.Basis basis = new JacobianKernel.Basis(xs, i, d);
                e1[i] = basis.e1;
                pairs[i] = new double[3 * N2];
                double[] xy = new double[2];
                for (int j = 0; j < N2; j++) {
                    e2[i][j] = new double[d];
                    basis.coordinates(ys, j, e2[i][j], xy);
                    pairs[i][3 * j + 1] = xy[0];
                    pairs[i][3 * j + 2] = xy[1];
                }
                jets[i] = gaussian(rnd, 10 * N2);
                for (int t = 0; t < jets[i].length; t++) {
                    jets[i][t] *= scale;
                }
            }
        }

        /** Pair (i, j)'s (1+d) x (1+d) block by matrix products. */
        double[][] block(int i, int j) {
            double[] g = jets[i];
            int t = 10 * j;
            double[][] e = new double[d][2];
            for (int c = 0; c < d; c++) {
                e[c][0] = e1[i][c];
                e[c][1] = e2[i][j][c];
            }
            double[][] m = {{g[t + 6], g[t + 7]}, {g[t + 8], g[t + 9]}};
            double[][] out = new double[d + 1][d + 1];
            out[0][0] = g[t];
            for (int c = 0; c < d; c++) {
                out[0][1 + c] = e[c][0] * g[t + 3] + e[c][1] * g[t + 4];
                out[1 + c][0] = e[c][0] * g[t + 1] + e[c][1] * g[t + 2];
                for (int r = 0; r < d; r++) {
                    double emet = 0;
                    for (int p = 0; p < 2; p++) {
                        for (int q = 0; q < 2; q++) {
                            emet += e[c][p] * m[p][q] * e[r][q];
                        }
                    }
                    out[1 + c][1 + r] = emet + (c == r ? g[t + 5] : 0);
                }
            }
            return out;
        }

        private static double[] gaussian(SplittableRandom rnd, int n) {
            double[] v = new double[n];
            for (int k = 0; k < n; k++) {
                v[k] = rnd.nextGaussian();
            }
            return v;
        }
    }
}
