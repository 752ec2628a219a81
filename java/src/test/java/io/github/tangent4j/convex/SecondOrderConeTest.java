package io.github.tangent4j.convex;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The second-order cone's arithmetic against its defining identities: the NT scaling satisfies
 * {@code W z = W^-1 s = lambda} with W^-1 the inverse of W; division inverts the Jordan product; the largest
 * step lands on the cone's boundary (determinant 0) or is infinite when the ray stays inside.
 */
class SecondOrderConeTest {
    private static final int M = 5;

    private static double[] interior(SplittableRandom rnd) {
        double[] u = new double[M];
        double tail = 0;
        for (int i = 1; i < M; i++) {
            u[i] = rnd.nextGaussian();
            tail += u[i] * u[i];
        }
        u[0] = Math.sqrt(tail) + 0.1 + rnd.nextDouble();
        return u;
    }

    private static double[] times(double[] a, double[] v) {
        double[] out = new double[M];
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < M; j++) {
                out[i] += a[i * M + j] * v[j];
            }
        }
        return out;
    }

    @Test
    void scalingMapsThePairToOnePoint() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int trial = 0; trial < 20; trial++) {
            double[] s = interior(rnd);
            double[] z = interior(rnd);
            double[] w = new double[M * M];
            double[] wi = new double[M * M];
            double[] lambda = new double[M];
            SecondOrderCone.scaling(s, 0, z, 0, M, w, wi, lambda);
            double[] wz = times(w, z);
            double[] wis = times(wi, s);
            for (int i = 0; i < M; i++) {
                assertEquals(lambda[i], wz[i], 1e-12 * (1 + Math.abs(lambda[i])), "W z");
                assertEquals(lambda[i], wis[i], 1e-12 * (1 + Math.abs(lambda[i])), "W^-1 s");
                for (int j = 0; j < M; j++) {
                    double product = 0;
                    for (int c = 0; c < M; c++) {
                        product += w[i * M + c] * wi[c * M + j];
                    }
                    assertEquals(i == j ? 1 : 0, product, 1e-12, "W W^-1");
                    assertEquals(w[i * M + j], w[j * M + i], 1e-14, "W symmetric");
                }
            }
        }
    }

    @Test
    void divisionInvertsTheJordanProduct() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int trial = 0; trial < 20; trial++) {
            double[] l = interior(rnd);
            double[] x = new double[M];
            for (int i = 0; i < M; i++) {
                x[i] = rnd.nextGaussian();
            }
            double[] r = new double[M];
            SecondOrderCone.product(l, 0, x, 0, M, r, 0);
            double[] back = new double[M];
            SecondOrderCone.divide(l, 0, r, 0, M, back, 0);
            for (int i = 0; i < M; i++) {
                assertEquals(x[i], back[i], 1e-11 * (1 + Math.abs(x[i])));
            }
        }
    }

    @Test
    void largestStepReachesTheBoundary() {
        SplittableRandom rnd = new SplittableRandom(7);
        int finite = 0;
        for (int trial = 0; trial < 50; trial++) {
            double[] u = interior(rnd);
            double[] d = new double[M];
            for (int i = 0; i < M; i++) {
                d[i] = 3 * rnd.nextGaussian();
            }
            double alpha = SecondOrderCone.maxStep(u, 0, d, 0, M);
            if (Double.isInfinite(alpha)) {
                for (double a : new double[] {1, 10, 1e3}) {   // the whole ray stays inside
                    double[] p = new double[M];
                    for (int i = 0; i < M; i++) {
                        p[i] = u[i] + a * d[i];
                    }
                    assertEquals(1, Math.signum(SecondOrderCone.determinant(p, 0, M)), "inside at " + a);
                }
                continue;
            }
            finite++;
            double[] p = new double[M];
            double[] half = new double[M];
            for (int i = 0; i < M; i++) {
                p[i] = u[i] + alpha * d[i];
                half[i] = u[i] + 0.5 * alpha * d[i];
            }
            assertEquals(0, SecondOrderCone.determinant(p, 0, M), 1e-9 * (1 + p[0] * p[0]), "on the boundary");
            assertEquals(1, Math.signum(p[0] + 1e-12), "on the cone, not its negative");
            assertEquals(1, Math.signum(SecondOrderCone.determinant(half, 0, M)), "inside before");
        }
        assertEquals(true, finite > 10, finite + " finite steps");
    }
}
