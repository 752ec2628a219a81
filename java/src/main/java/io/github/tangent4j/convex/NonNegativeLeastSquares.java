package io.github.tangent4j.convex;

import io.github.tangent4j.linalg.Cholesky;

/**
 * Non-negative least squares {@code min ||f - sum_i lambda_i c_i||} over {@code lambda >= 0} for n vectors
 * c_i of m entries with m small (the d' entries of one group), by the active-set method of Lawson and
 * Hanson ("Solving Least Squares Problems", 1974, ch. 23): the passive set grows by the vector most
 * correlated with the residual, and each least-squares solve on it is kept non-negative by stepping back
 * to the boundary. The passive set holds at most m independent vectors, so each solve is m x m.
 *
 * <p>Whatever the rounding, the result is a non-negative combination, so the residual's norm is an upper
 * bound on the minimum that the caller may rely on.
 */
final class NonNegativeLeastSquares {
    /** Outer iterations (vectors entering the passive set) per unknown at most. */
    static final int OUTER_PER_ENTRY = 10;

    private NonNegativeLeastSquares() {
    }

    /**
     * The residual {@code f - sum_i lambda_i c_i} at a (near-)optimal {@code lambda >= 0}.
     *
     * @param c the vectors, row-major (n, m): row i is c_i
     * @param f the target (m)
     * @return the residual (m)
     */
    static double[] residual(double[] c, int n, double[] f) {
        return residual(c, n, f, 0);
    }

    /**
     * As {@link #residual(double[], int, double[])}, but returns as soon as the residual's norm is at most
     * {@code enough} (a caller that only compares the minimum with a threshold needs no more).
     */
    static double[] residual(double[] c, int n, double[] f, double enough) {
        int m = f.length;
        int[] passive = new int[m];
        double[] lambda = new double[m];
        int size = 0;
        double[] res = f.clone();
        boolean[] in = new boolean[n];
        double scale = 0;
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int a = 0; a < m; a++) {
                norm += c[i * m + a] * c[i * m + a];
            }
            scale = Math.max(scale, Math.sqrt(norm));
        }
        double threshold = 1e-13 * scale * Math.sqrt(Vectors.dot(f, f));
        boolean[] excluded = new boolean[n];
        for (int outer = 0; outer < OUTER_PER_ENTRY * m + 8 && size < m; outer++) {
            int best = -1;
            double bestValue = threshold;
            for (int i = 0; i < n; i++) {
                if (in[i] || excluded[i]) {
                    continue;
                }
                double v = 0;
                for (int a = 0; a < m; a++) {
                    v += c[i * m + a] * res[a];
                }
                if (v > bestValue) {
                    bestValue = v;
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            passive[size] = best;
            lambda[size] = 0;
            size++;
            in[best] = true;
            for (int inner = 0; inner < 2 * m + 2; inner++) {
                double[] z = leastSquares(c, m, passive, size, f);
                if (z == null) {   // the new vector is dependent in floating point: leave it out for good
                    in[best] = false;
                    excluded[best] = true;
                    size = without(passive, lambda, size, best);
                    break;
                }
                double alpha = 1;
                int blocking = -1;
                for (int a = 0; a < size; a++) {
                    if (z[a] <= 0) {
                        double step = lambda[a] / (lambda[a] - z[a]);
                        if (step < alpha) {
                            alpha = step;
                            blocking = a;
                        }
                    }
                }
                for (int a = 0; a < size; a++) {
                    lambda[a] += alpha * (z[a] - lambda[a]);
                }
                if (blocking < 0) {
                    break;
                }
                lambda[blocking] = 0;   // exactly: rounding must not keep the blocking vector in the passive set
                if (alpha == 0 && passive[blocking] == best) {
                    excluded[best] = true;   // its gradient is positive only by rounding: it would be chosen again
                }
                int kept = 0;
                for (int a = 0; a < size; a++) {
                    if (lambda[a] > 0) {
                        passive[kept] = passive[a];
                        lambda[kept++] = lambda[a];
                    } else {
                        in[passive[a]] = false;
                    }
                }
                size = kept;
            }
            res = residualOf(c, m, passive, lambda, size, f);
            if (Vectors.dot(res, res) <= enough * enough) {
                return res;
            }
        }
        return residualOf(c, m, passive, lambda, size, f);
    }

    /** Removes vector i from the passive set; the new size. */
    private static int without(int[] passive, double[] lambda, int size, int i) {
        int kept = 0;
        for (int a = 0; a < size; a++) {
            if (passive[a] != i) {
                passive[kept] = passive[a];
                lambda[kept++] = lambda[a];
            }
        }
        return kept;
    }

    /** The unconstrained least-squares coefficients over the passive vectors, or null if they are dependent. */
    private static double[] leastSquares(double[] c, int m, int[] passive, int size, double[] f) {
        double[] gram = new double[size * size];
        double[] rhs = new double[size];
        for (int a = 0; a < size; a++) {
            int ia = passive[a] * m;
            for (int b = 0; b <= a; b++) {
                int ib = passive[b] * m;
                double s = 0;
                for (int j = 0; j < m; j++) {
                    s += c[ia + j] * c[ib + j];
                }
                gram[a * size + b] = s;
                gram[b * size + a] = s;
            }
            double s = 0;
            for (int j = 0; j < m; j++) {
                s += c[ia + j] * f[j];
            }
            rhs[a] = s;
        }
        try {
            return Cholesky.of(gram, size).solve(rhs, 1);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static double[] residualOf(double[] c, int m, int[] passive, double[] lambda, int size, double[] f) {
        double[] r = f.clone();
        for (int a = 0; a < size; a++) {
            double l = Math.max(lambda[a], 0);
            for (int j = 0; j < m; j++) {
                r[j] -= l * c[passive[a] * m + j];
            }
        }
        return r;
    }
}
