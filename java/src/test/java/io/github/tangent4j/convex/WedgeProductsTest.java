package io.github.tangent4j.convex;

import io.github.tangent4j.tensor.Tensor;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generalised cross product's identities, on both of its computations, and the subset listings. */
class WedgeProductsTest {
    private static double[][] randomColumns(SplittableRandom rnd, int dims) {
        double[][] m = new double[dims][dims - 1];
        for (double[] row : m) {
            for (int j = 0; j < row.length; j++) {
                row[j] = rnd.nextGaussian();
            }
        }
        return m;
    }

    @Test
    void normalToTheSamplesWithTheParallelotopeVolumeAsNorm() {
        SplittableRandom rnd = new SplittableRandom(1);
        for (int dims = 2; dims <= 8; dims++) {
            for (int trial = 0; trial < 5; trial++) {
                double[][] m = randomColumns(rnd, dims);
                DMatrixRMaj mm = new DMatrixRMaj(m);
                DMatrixRMaj gram = new DMatrixRMaj(dims - 1, dims - 1);
                CommonOps_DDRM.multTransA(mm, mm, gram);
                double volume2 = CommonOps_DDRM.det(gram);
                double[] cof = WedgeProducts.byCofactors(m);
                double[] svd = WedgeProducts.bySvd(m);
                for (double[] c : new double[][] {cof, svd}) {
                    for (int j = 0; j < dims - 1; j++) {
                        double dot = 0;
                        double scale = 0;
                        for (int i = 0; i < dims; i++) {
                            dot += m[i][j] * c[i];
                            scale += Math.abs(m[i][j] * c[i]);
                        }
                        assertEquals(0, dot, 1e-12 * scale, "M^T c, column " + j + ", d' = " + dims);
                    }
                    assertEquals(volume2, Vectors.dot(c, c), 1e-10 * volume2, "||c||^2 = det(M^T M), d' = " + dims);
                }
                assertArrayEquals(cof, svd, 1e-9 * Math.sqrt(volume2), "cofactors and SVD agree in sign, d' = " + dims);
            }
        }
    }

    @Test
    void threeDimensionsGiveTheOrdinaryCrossProduct() {
        double[] a = {1.5, -2, 0.25};
        double[] b = {0.5, 3, -1};
        double[][] m = {{a[0], b[0]}, {a[1], b[1]}, {a[2], b[2]}};
        double[] expected = {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
        assertArrayEquals(expected, WedgeProducts.byCofactors(m), 1e-14);
        assertArrayEquals(expected, WedgeProducts.bySvd(m), 1e-13);
    }

    @Test
    void everySubsetInLexicographicOrderNormalisedByTheWeight() {
        // 1-D with the bias: the hyperplane through x_j is x - x_j = 0, i.e. (1, -x_j)
        Tensor x = Tensor.of(new double[] {0.3, -0.7, 1.2}, 3, 1);
        Tensor w = WedgeProducts.all(x, true);
        assertArrayEquals(new long[] {3, 2}, w.shape());
        for (int j = 0; j < 3; j++) {
            assertEquals(1, w.get(j, 0), 1e-15);
            assertEquals(-x.getFlat(j), w.get(j, 1), 1e-15);
        }
        // 2-D with the bias: pairs (0,1), (0,2), (0,3), (1,2), ...; the line passes through both samples
        SplittableRandom rnd = new SplittableRandom(3);
        double[] pts = new double[10];
        for (int i = 0; i < pts.length; i++) {
            pts[i] = rnd.nextGaussian();
        }
        Tensor x2 = Tensor.of(pts, 5, 2);
        Tensor w2 = WedgeProducts.all(x2, true);
        assertEquals(10, w2.dim(0));
        int row = 0;
        for (int a = 0; a < 5; a++) {
            for (int b = a + 1; b < 5; b++, row++) {
                assertEquals(1, Math.hypot(w2.get(row, 0), w2.get(row, 1)), 1e-14);
                for (int s : new int[] {a, b}) {
                    double v = w2.get(row, 0) * pts[2 * s] + w2.get(row, 1) * pts[2 * s + 1] + w2.get(row, 2);
                    assertEquals(0, v, 1e-13, "sample " + s + " on the line of subset " + row);
                }
            }
        }
    }

    @Test
    void sampledSubsetsAreDistinctAndReproducible() {
        SplittableRandom rnd = new SplittableRandom(4);
        double[] pts = new double[30];
        for (int i = 0; i < pts.length; i++) {
            pts[i] = rnd.nextGaussian();
        }
        Tensor x = Tensor.of(pts, 10, 3);
        Tensor a = WedgeProducts.sampled(x, false, 40, 7);
        Tensor b = WedgeProducts.sampled(x, false, 40, 7);
        assertArrayEquals(a.toDoubleArray(), b.toDoubleArray());
        Set<String> rows = new HashSet<>();
        for (int r = 0; r < 40; r++) {
            rows.add(String.format("%.12f %.12f %.12f", a.get(r, 0), a.get(r, 1), a.get(r, 2)));
        }
        assertEquals(40, rows.size());
        assertEquals(45, WedgeProducts.all(x, false).dim(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WedgeProducts.sampled(x, false, 46, 0));
        assertTrue(e.getMessage().startsWith("samples: expected 1 to 45"), e.getMessage());
    }

    @Test
    void coincidentSamplesGiveAZeroRow() {
        Tensor x = Tensor.of(new double[] {1, 2, 1, 2, 0, 1}, 3, 2);
        Tensor w = WedgeProducts.all(x, true);
        assertArrayEquals(new double[] {0, 0, 0}, new double[] {w.get(0, 0), w.get(0, 1), w.get(0, 2)});
    }
}
