package io.github.tangent4j.convex;

import io.github.tangent4j.backend.java.SystemCholesky;
import io.github.tangent4j.linalg.Cholesky;

/**
 * A Cholesky factorisation {@code S = L L^T} of a symmetric positive definite n x n matrix on the host and its
 * solves: by the system LAPACK's {@code dpotrf} ({@link SystemCholesky}, the BLAS's threads) where one is bound,
 * else by EJML ({@link Cholesky}, one thread). The interior-point method's Newton matrix (n = N) is factored
 * once per iteration by it.
 */
final class HostCholesky {
    private final int n;
    private final double[] lower;     // row-major L, or null with the EJML fallback
    private final Cholesky fallback;

    private HostCholesky(int n, double[] lower, Cholesky fallback) {
        this.n = n;
        this.lower = lower;
        this.fallback = fallback;
    }

    /**
     * Factors {@code s} (n x n row-major; its lower triangle is read and, on the LAPACK path, overwritten).
     *
     * @param useSystem whether the system LAPACK is used where it is bound (false: EJML; for tests)
     * @throws IllegalArgumentException if s is not numerically positive definite
     */
    static HostCholesky of(double[] s, int n, boolean useSystem) {
        if (!useSystem || !SystemCholesky.available()) {
            return new HostCholesky(n, null, Cholesky.of(symmetrised(s, n), n));
        }
        if (!SystemCholesky.factorLower(s, n)) {
            throw new IllegalArgumentException("s: expected a symmetric positive definite " + n + " x " + n
                    + " matrix but the Cholesky factorisation (LAPACK dpotrf) failed");
        }
        return new HostCholesky(n, s, null);
    }

    /** Factors {@code s} by the system LAPACK where bound ({@link #of(double[], int, boolean)}). */
    static HostCholesky of(double[] s, int n) {
        return of(s, n, true);
    }

    /** x with {@code S x = b} (n). */
    double[] solve(double[] b) {
        if (fallback != null) {
            return fallback.solve(b, 1);
        }
        double[] x = b.clone();
        for (int i = 0; i < n; i++) {   // L z = b, by rows
            double sum = x[i];
            int row = i * n;
            for (int j = 0; j < i; j++) {
                sum -= lower[row + j] * x[j];
            }
            x[i] = sum / lower[row + i];
        }
        for (int i = n - 1; i >= 0; i--) {   // L^T x = z, by the rows of L (the columns of L^T)
            int row = i * n;
            double xi = x[i] / lower[row + i];
            x[i] = xi;
            for (int j = 0; j < i; j++) {
                x[j] -= lower[row + j] * xi;
            }
        }
        return x;
    }

    /** The matrix with its upper triangle copied from its lower one (EJML reads both). */
    private static double[] symmetrised(double[] s, int n) {
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                s[j * n + i] = s[i * n + j];
            }
        }
        return s;
    }
}
