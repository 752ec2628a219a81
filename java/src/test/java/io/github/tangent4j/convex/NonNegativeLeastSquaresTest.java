package io.github.tangent4j.convex;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lawson-Hanson against brute force: the minimum over every subset of at most m vectors of the unconstrained
 * least-squares residual whose coefficients are all non-negative (an optimal non-negative solution has an
 * independent support, Carathéodory), and the optimality conditions of the residual it returns.
 */
class NonNegativeLeastSquaresTest {
    @Test
    void matchesSubsetEnumeration() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int trial = 0; trial < 200; trial++) {
            int m = 1 + trial % 4;
            int n = 1 + rnd.nextInt(9);
            double[] c = gaussian(rnd, n * m);
            double[] f = gaussian(rnd, m);
            double[] res = NonNegativeLeastSquares.residual(c, n, f);
            double got = Math.sqrt(Vectors.dot(res, res));
            double best = bruteForce(c, n, m, f);
            assertEquals(best, got, 1e-9 * (1 + best), "trial " + trial);
            // optimality: no vector improves the residual, which is orthogonal to the fitted part
            for (int i = 0; i < n; i++) {
                double w = 0;
                for (int a = 0; a < m; a++) {
                    w += c[i * m + a] * res[a];
                }
                assertTrue(w <= 1e-9, "trial " + trial + " vector " + i + " correlates " + w);
            }
            assertEquals(0, Vectors.dot(res, Vectors.minus(f, res)), 1e-9, "trial " + trial);
            // stopped once below a threshold: still a bound from above, and below the threshold
            double enough = 1.5 * best + 0.1;
            double[] early = NonNegativeLeastSquares.residual(c, n, f, enough);
            double norm = Math.sqrt(Vectors.dot(early, early));
            assertTrue(norm >= best - 1e-9 && norm <= enough + 1e-12, "trial " + trial + " early " + norm);
        }
    }

    /**
     * The case the ReLU program's certificate meets at a nonzero group of its optimum (d' = 11, 2000 rows): the
     * cone {@code {z : G z >= 0}} of rows {@code s_i x~_i} has a ray z on which 10 rows are tight, and
     * {@code f = -beta z/||z|| + sum_W lambda_j g_j} with positive lambda on those rows; the minimum is beta
     * exactly (the residual {@code -beta z/||z||} is orthogonal to the fitted part and correlates with no row
     * positively). An early stop, or a blocking vector left in the passive set by rounding, ends above it.
     */
    @Test
    void reachesTheMinimumOnARayOfAPatternCone() {
        SplittableRandom rnd = new SplittableRandom(11);
        int m = 11;
        int n = 2000;
        for (int trial = 0; trial < 40; trial++) {
            double[] c = new double[n * m];
            for (int i = 0; i < n; i++) {
                double[] x = gaussian(rnd, m);
                x[m - 1] = 1;
                System.arraycopy(x, 0, c, i * m, m);
            }
            double[] tight = java.util.Arrays.copyOf(c, (m - 1) * m);   // rows 0..9
            double[] ray = io.github.tangent4j.linalg.SymmetricEigen.of(gram(tight, m - 1, m), m).vectors();
            double[] z = new double[m];
            for (int a = 0; a < m; a++) {
                z[a] = ray[a * m];   // the eigenvector of the smallest eigenvalue (0): the rows' null space
            }
            double[] f = new double[m];
            double beta = 0.01 + rnd.nextDouble();
            for (int i = 0; i < n; i++) {
                double side = i < m - 1 ? (rnd.nextBoolean() ? 1 : -1) : Math.signum(dot(c, i, z, m));
                for (int a = 0; a < m; a++) {
                    c[i * m + a] *= side;
                }
                double lambda = i < m - 1 ? Math.pow(10, -3 + 3 * rnd.nextDouble()) : 0;
                for (int a = 0; a < m; a++) {
                    f[a] += lambda * c[i * m + a];
                }
            }
            for (int a = 0; a < m; a++) {
                f[a] -= beta * z[a];
            }
            double[] res = NonNegativeLeastSquares.residual(c, n, f);
            assertEquals(beta, Math.sqrt(Vectors.dot(res, res)), 1e-9 * beta, "trial " + trial);
        }
    }

    private static double[] gram(double[] rows, int count, int m) {
        double[] g = new double[m * m];
        for (int i = 0; i < count; i++) {
            for (int a = 0; a < m; a++) {
                for (int b = 0; b < m; b++) {
                    g[a * m + b] += rows[i * m + a] * rows[i * m + b];
                }
            }
        }
        return g;
    }

    private static double dot(double[] c, int i, double[] z, int m) {
        double s = 0;
        for (int a = 0; a < m; a++) {
            s += c[i * m + a] * z[a];
        }
        return s;
    }

    @Test
    void coneInteriorAndPolarCases() {
        // f inside the cone of the unit vectors: residual 0; f in the polar (all negative): residual f
        double[] c = {1, 0, 0, 0, 1, 0, 0, 0, 1};
        double[] inside = NonNegativeLeastSquares.residual(c, 3, new double[] {1, 2, 3});
        assertEquals(0, Math.sqrt(Vectors.dot(inside, inside)), 1e-15);
        double[] polar = {-1, -2, -3};
        double[] out = NonNegativeLeastSquares.residual(c, 3, polar);
        assertEquals(0, Math.sqrt(Vectors.dot(Vectors.minus(out, polar), Vectors.minus(out, polar))), 0);
        // a repeated vector (dependent columns) is handled
        double[] twice = {1, 1, 1, 1};
        double[] r = NonNegativeLeastSquares.residual(twice, 2, new double[] {2, 0});
        assertEquals(2, Math.sqrt(Vectors.dot(r, r)) * Math.sqrt(2), 1e-12);
    }

    private static double bruteForce(double[] c, int n, int m, double[] f) {
        double best = Math.sqrt(Vectors.dot(f, f));
        for (int subset = 1; subset < 1 << n; subset++) {
            int size = Integer.bitCount(subset);
            if (size > m) {
                continue;
            }
            int[] idx = new int[size];
            for (int i = 0, j = 0; i < n; i++) {
                if ((subset >> i & 1) != 0) {
                    idx[j++] = i;
                }
            }
            double[] coef = solve(c, m, idx, f);
            if (coef == null) {
                continue;
            }
            boolean nonNegative = true;
            double[] r = f.clone();
            for (int a = 0; a < size; a++) {
                nonNegative &= coef[a] >= 0;
                for (int j = 0; j < m; j++) {
                    r[j] -= coef[a] * c[idx[a] * m + j];
                }
            }
            if (nonNegative) {
                best = Math.min(best, Math.sqrt(Vectors.dot(r, r)));
            }
        }
        return best;
    }

    /** Normal equations by Gaussian elimination with partial pivoting (null when singular). */
    static double[] solve(double[] c, int m, int[] idx, double[] f) {
        int s = idx.length;
        double[][] a = new double[s][s + 1];
        for (int p = 0; p < s; p++) {
            for (int q = 0; q < s; q++) {
                for (int j = 0; j < m; j++) {
                    a[p][q] += c[idx[p] * m + j] * c[idx[q] * m + j];
                }
            }
            for (int j = 0; j < m; j++) {
                a[p][s] += c[idx[p] * m + j] * f[j];
            }
        }
        for (int col = 0; col < s; col++) {
            int piv = col;
            for (int row = col + 1; row < s; row++) {
                if (Math.abs(a[row][col]) > Math.abs(a[piv][col])) {
                    piv = row;
                }
            }
            if (Math.abs(a[piv][col]) < 1e-10) {
                return null;
            }
            double[] t = a[piv];
            a[piv] = a[col];
            a[col] = t;
            for (int row = 0; row < s; row++) {
                if (row != col) {
                    double factor = a[row][col] / a[col][col];
                    for (int q = col; q <= s; q++) {
                        a[row][q] -= factor * a[col][q];
                    }
                }
            }
        }
        double[] x = new double[s];
        for (int p = 0; p < s; p++) {
            x[p] = a[p][s] / a[p][p];
        }
        return x;
    }

    private static double[] gaussian(SplittableRandom rnd, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextGaussian();
        }
        return v;
    }
}
