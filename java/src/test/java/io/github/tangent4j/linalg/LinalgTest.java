package io.github.tangent4j.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The EJML adapters against reconstructions and known spectra. */
class LinalgTest {
    static double[] randomSymmetric(long seed, int n, double shift) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] b = new double[n * n];
        for (int i = 0; i < b.length; i++) {
            b[i] = r.nextGaussian();
        }
        double[] a = new double[n * n]; // B B^T + shift I
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += b[i * n + k] * b[j * n + k];
                }
                a[i * n + j] = s + (i == j ? shift : 0);
            }
        }
        return a;
    }

    @Test
    void eigenReconstructsAndIsOrthonormalAndAscending() {
        int n = 9;
        double[] a = randomSymmetric(1, n, -3); // indefinite
        SymmetricEigen e = SymmetricEigen.of(a, n);
        double[] l = e.values();
        double[] v = e.vectors();
        for (int i = 1; i < n; i++) {
            assertTrue(l[i - 1] <= l[i]);
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double rec = 0;
                double dot = 0;
                for (int k = 0; k < n; k++) {
                    rec += v[i * n + k] * l[k] * v[j * n + k];
                    dot += v[k * n + i] * v[k * n + j];
                }
                assertEquals(a[i * n + j], rec, 1e-11);
                assertEquals(i == j ? 1 : 0, dot, 1e-12);
            }
        }
        // applyFunction(g = identity) is A B
        double[] b = {1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        double[] ab = e.applyFunction(x -> x, b, 2);
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 2; c++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += a[i * n + k] * b[k * 2 + c];
                }
                assertEquals(s, ab[i * 2 + c], 1e-10);
            }
        }
    }

    @Test
    void choleskySolvesAndRejectsIndefinite() {
        int n = 7;
        double[] a = randomSymmetric(2, n, 0.5);
        double[] b = new double[n * 3];
        for (int i = 0; i < b.length; i++) {
            b[i] = i % 5 - 2;
        }
        double[] x = Cholesky.of(a, n).solve(b, 3);
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += a[i * n + k] * x[k * 3 + c];
                }
                assertEquals(b[i * 3 + c], s, 1e-10);
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Cholesky.of(randomSymmetric(3, 5, -50), 5));
        assertTrue(e.getMessage().startsWith("a:"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Cholesky.of(new double[5], 2));
    }

    @Test
    void singularValuesOfAKnownMatrix() {
        // U diag(5, 2, 0) V^T with rotations U (4x3 orthonormal columns) and V (3x3): a rank-2 4 x 3 matrix
        double c = Math.cos(0.7);
        double s = Math.sin(0.7);
        double[][] u = {{c, -s, 0}, {s, c, 0}, {0, 0, 0.6}, {0, 0, 0.8}};
        double[][] v = {{1, 0, 0}, {0, c, -s}, {0, s, c}};
        double[] sigma = {5, 2, 0};
        Tensor m = Tensor.allocate(io.github.tangent4j.tensor.DType.F64, 4, 3);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 3; j++) {
                double x = 0;
                for (int k = 0; k < 3; k++) {
                    x += u[i][k] * sigma[k] * v[j][k];
                }
                m.set(x, i, j);
            }
        }
        double[] got = SingularValues.of(m);
        assertArrayEquals(new double[] {5, 2, 0}, got, 1e-13);
        double[] wide = SingularValues.of(new double[] {3, 0, 0, 0, 0, -4, 0, 0}, 2, 4);
        assertArrayEquals(new double[] {4, 3}, wide, 1e-14);
        assertThrows(IllegalArgumentException.class, () -> SingularValues.of(Tensor.of(new double[] {1, 2}, 2)));
    }
}
