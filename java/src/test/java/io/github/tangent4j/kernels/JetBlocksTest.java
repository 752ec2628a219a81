package io.github.tangent4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.testing.Gaussian;
import org.junit.jupiter.api.Test;

/**
 * {@link JetBlocks}: the scalar writer against the blocks {@code [[V, (E H)^T], [E G, H0 I + E M E^T]]} formed
 * by plain matrix products from random jets and bases (and the mirrored writer against their transposes),
 * and the Vector API writer bit for bit against the scalar one, for D below, at and past whole vectors (0,
 * 3, 16, 21), both dtypes, all rows and the f rows only; and the overflow bound.
 */
class JetBlocksTest {
    private static final int[] DIMS = {0, 3, 16, 21};
    private static final int N2 = 13;
    private static final int POINTS = 3;

    @Test
    void scalarWritersEqualTheBlocksFormedByMatrixProducts() {
        for (int d : DIMS) {
            Case k = new Case(d);
            int b = d + 1;
            Tensor rows = Tensor.allocate(DType.F64, POINTS * b, N2 * b);
            Tensor mirrored = Tensor.allocate(DType.F64, N2 * b, POINTS * b);
            k.write(rows, b, false);
            k.mirror(mirrored, false);
            for (int i = 0; i < POINTS; i++) {
                for (int j = 0; j < N2; j++) {
                    double[][] want = k.block(i, j);
                    for (int a = 0; a < b; a++) {
                        for (int c = 0; c < b; c++) {
                            String what = "d " + d + " point " + i + " pair " + j;
                            double tol = 1e-13 * (1 + Math.abs(want[a][c]));
                            assertEquals(want[a][c], rows.get((long) i * b + a, (long) j * b + c), tol, what);
                            assertEquals(want[a][c], mirrored.get((long) j * b + c, (long) i * b + a), tol, what);
                        }
                    }
                }
            }
        }
    }

    @Test
    void vectorWritersGiveTheScalarWritersBits() {
        assumeTrue(JetBlocks.VECTOR, "the Vector API module is absent");
        for (int d : DIMS) {
            Case k = new Case(d);
            for (DType dtype : new DType[] {DType.F32, DType.F64}) {
                for (int rows : new int[] {1, d + 1}) {
                    Tensor scalar = Tensor.allocate(dtype, POINTS * rows, N2 * (d + 1));
                    Tensor vector = Tensor.allocate(dtype, POINTS * rows, N2 * (d + 1));
                    k.write(scalar, rows, false);
                    k.write(vector, rows, true);
                    assertEquals(-1, scalar.segment().mismatch(vector.segment()), "d " + d + " " + dtype + " rows " + rows);
                }
                Tensor scalar = Tensor.allocate(dtype, N2 * (d + 1), POINTS * (d + 1));
                Tensor vector = Tensor.allocate(dtype, N2 * (d + 1), POINTS * (d + 1));
                k.mirror(scalar, false);
                k.mirror(vector, true);
                assertEquals(-1, scalar.segment().mismatch(vector.segment()), "d " + d + " " + dtype + " mirrored");
            }
        }
    }

    @Test
    void theBoundRefusesWhatOverflowsF32AndNaN() {
        double[] jets = new Case(3).jets[0];
        assertTrue(JetBlocks.bounded(jets, 0, N2, DType.F32));
        double[] large = jets.clone();
        large[10 * 5 + JetBlocks.M21] = 1e38; // an entry of u1 e1 + u2 e2 + H0 could reach F32's largest, 3.4e38
        assertFalse(JetBlocks.bounded(large, 0, N2, DType.F32));
        assertTrue(JetBlocks.bounded(large, 0, N2, DType.F64));
        large[10 * 7 + JetBlocks.V] = Double.NaN;
        assertFalse(JetBlocks.bounded(large, 0, N2, DType.F64));
    }

    /** Random row points' bases and jets against N2 column points, one of them collinear with each row point. */
    private static final class Case {
        final double[][] e1 = new double[POINTS][];
        final double[] e1s;
        final double[] ys;
        final double[][] pairs = new double[POINTS][];
        final double[][] jets = new double[POINTS][];
        final double[][][] e2 = new double[POINTS][N2][];
        final int d;

        Case(int d) {
            this.d = d;
            double[] xs = Gaussian.matrix(11 + d, POINTS, d).toDoubleArray();
            ys = Gaussian.matrix(111 + d, N2, d).toDoubleArray();
            for (int c = 0; c < d; c++) {
                ys[c] = -2 * xs[c]; // column point 0 collinear with row point 0: beta = 0, e2 = 0
            }
            e1s = new double[POINTS * d];
            for (int i = 0; i < POINTS; i++) {
                JacobianKernel.Basis basis = new JacobianKernel.Basis(xs, i, d);
                e1[i] = basis.e1;
                System.arraycopy(basis.e1, 0, e1s, i * d, d);
                pairs[i] = new double[3 * N2];
                double[] xy = new double[2];
                for (int j = 0; j < N2; j++) {
                    e2[i][j] = new double[d];
                    basis.coordinates(ys, j, e2[i][j], xy);
                    pairs[i][3 * j + 1] = xy[0];
                    pairs[i][3 * j + 2] = xy[1];
                }
                jets[i] = Gaussian.matrix(1111 + 10L * d + i, N2, 10).toDoubleArray();
            }
        }

        /** Writes every row point's first {@code rows} rows of blocks against every column point. */
        void write(Tensor out, int rows, boolean vector) {
            int[] columns = new int[N2];
            for (int j = 0; j < N2; j++) {
                columns[j] = j;
            }
            for (int i = 0; i < POINTS; i++) {
                JetBlocks.writeRow(out, i, rows, d, e1s, i, ys, pairs[i], 0, jets[i], 0, columns, N2, vector);
            }
        }

        /** Writes every column point's blocks against the row points, as transposes of theirs. */
        void mirror(Tensor out, boolean vector) {
            for (int j = 0; j < N2; j++) {
                double[] p = new double[3 * POINTS];
                double[] t = new double[10 * POINTS];
                for (int i = 0; i < POINTS; i++) {
                    System.arraycopy(pairs[i], 3 * j, p, 3 * i, 3);
                    System.arraycopy(jets[i], 10 * j, t, 10 * i, 10);
                }
                JetBlocks.writeMirror(out, j, d, e1s, 0, POINTS, ys, j, p, 0, 3, t, 0, 10, vector);
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
    }
}
