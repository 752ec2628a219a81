package io.github.tangent4j.convex;

import io.github.tangent4j.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * The non-convex baseline the convex programs are compared with: full-batch gradient descent on the
 * weight-decay objective {@code 1/2 ||f(X) - y||^2 + beta/2 sum_j (||u_j||^2 + c_j^2 + a_j^2)} of a width-m
 * two-layer ReLU network {@code f(x) = sum_j a_j relu(u_j.x + c_j)} (one output), from a Gaussian start
 * (standard deviation 1/sqrt(d) for u, 1/sqrt(m) for a), with the step halved whenever the objective rises.
 * On the host: it is for small research comparisons (N and m in the tens), not for training at scale.
 */
public final class NonConvexBaseline {
    private NonConvexBaseline() {
    }

    /**
     * The objective reached after {@code steps} steps.
     *
     * @param x    inputs (N, d)
     * @param y    targets (N,)
     * @param bias whether the neurons have a bias c_j (in the weight decay)
     */
    public static double train(Tensor x, Tensor y, boolean bias, double beta, int width, int steps, long seed) {
        Lifted.checkInputs(x);
        int n = Math.toIntExact(x.dim(0));
        int d = Math.toIntExact(x.dim(1));
        int dims = d + (bias ? 1 : 0);
        double[] xs = Lifted.of(x, bias).toDoubleArray();
        double[] ys = y.toDoubleArray();
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] u = new double[width * dims];
        double[] a = new double[width];
        for (int i = 0; i < u.length; i++) {
            u[i] = rnd.nextGaussian() / Math.sqrt(d);
        }
        for (int j = 0; j < width; j++) {
            a[j] = rnd.nextGaussian() / Math.sqrt(width);
        }
        double lr = 0.5 / n;
        double[] gu = new double[u.length];
        double[] ga = new double[width];
        double f = objective(xs, ys, u, a, dims, beta, null, null);
        for (int t = 0; t < steps; t++) {
            objective(xs, ys, u, a, dims, beta, gu, ga);
            double[] u2 = u.clone();
            double[] a2 = a.clone();
            for (int i = 0; i < u.length; i++) {
                u2[i] -= lr * gu[i];
            }
            for (int j = 0; j < width; j++) {
                a2[j] -= lr * ga[j];
            }
            double f2 = objective(xs, ys, u2, a2, dims, beta, null, null);
            if (f2 <= f) {
                u = u2;
                a = a2;
                f = f2;
                lr *= 1.05;
            } else {
                lr *= 0.5;
            }
        }
        return f;
    }

    /** The objective, and its gradient into gu, ga when they are not null. */
    private static double objective(double[] x, double[] y, double[] u, double[] a, int dims, double beta,
            double[] gu, double[] ga) {
        int n = y.length;
        int m = a.length;
        if (gu != null) {
            java.util.Arrays.fill(gu, 0);
            java.util.Arrays.fill(ga, 0);
        }
        double loss = 0;
        double[] z = new double[m];
        for (int i = 0; i < n; i++) {
            double f = 0;
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int k = 0; k < dims; k++) {
                    s += u[j * dims + k] * x[i * dims + k];
                }
                z[j] = s;
                f += a[j] * Math.max(s, 0);
            }
            double r = f - y[i];
            loss += r * r;
            if (gu != null) {
                for (int j = 0; j < m; j++) {
                    if (z[j] > 0) {
                        ga[j] += r * z[j];
                        for (int k = 0; k < dims; k++) {
                            gu[j * dims + k] += r * a[j] * x[i * dims + k];
                        }
                    }
                }
            }
        }
        double squares = 0;
        for (int i = 0; i < u.length; i++) {
            squares += u[i] * u[i];
            if (gu != null) {
                gu[i] += beta * u[i];
            }
        }
        for (int j = 0; j < m; j++) {
            squares += a[j] * a[j];
            if (gu != null) {
                ga[j] += beta * a[j];
            }
        }
        return 0.5 * loss + 0.5 * beta * squares;
    }
}
