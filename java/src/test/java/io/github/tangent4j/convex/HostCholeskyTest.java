package io.github.tangent4j.convex;

import io.github.tangent4j.backend.java.SystemCholesky;
import io.github.tangent4j.testing.Gaussian;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The host Cholesky solves against the matrix they factor: {@code S x = b} to rounding, by the system LAPACK where
 * one is bound and by EJML, reading only the lower triangle; a matrix that is not positive definite is refused.
 */
class HostCholeskyTest {
    private static final int N = 300;

    @Test
    void solvesAgainstTheMatrixOnBothPaths() {
        double[] g = Gaussian.matrix(21, N, N).toDoubleArray();
        double[] s = new double[N * N];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = i == j ? N : 0;
                for (int k = 0; k < N; k++) {
                    sum += g[i * N + k] * g[j * N + k];
                }
                s[i * N + j] = sum;
                s[j * N + i] = sum;
            }
        }
        double[] b = Gaussian.matrix(22, 1, N).toDoubleArray();
        for (boolean system : new boolean[] {true, false}) {
            double[] lowerOnly = s.clone();
            for (int i = 0; i < N; i++) {
                for (int j = i + 1; j < N; j++) {
                    lowerOnly[i * N + j] = Double.NaN;   // never read on the LAPACK path
                }
            }
            double[] x = HostCholesky.of(system && SystemCholesky.available() ? lowerOnly : s.clone(), N, system)
                    .solve(b);
            for (int i = 0; i < N; i++) {
                double sum = 0;
                for (int j = 0; j < N; j++) {
                    sum += s[i * N + j] * x[j];
                }
                assertEquals(b[i], sum, 1e-9, (system ? "system" : "EJML") + " row " + i);
            }
        }
    }

    @Test
    void refusesAnIndefiniteMatrix() {
        double[] s = {1, 2, 2, 1};
        for (boolean system : new boolean[] {true, false}) {
            assertThrows(IllegalArgumentException.class, () -> HostCholesky.of(s.clone(), 2, system));
        }
    }
}
