package io.github.tangent4j.convex;

/**
 * FISTA (Beck and Teboulle, SIAM J. Imaging Sci. 2009) for {@code min f(Y) + sum_k beta_k ||y_k||} over K
 * groups of d' coefficients, with the group soft-threshold prox
 * {@code y_k <- max(0, 1 - t beta_k / ||y_k||) y_k} and the gradient-based adaptive restart of O'Donoghue
 * and Candès (Found. Comput. Math. 2015). Coefficients are host arrays of K d' numbers, row-major.
 */
final class GroupFista {
    /** The smooth part f: its gradient at y. */
    @FunctionalInterface
    interface Smooth {
        double[] gradient(double[] y);
    }

    /** Called every {@link #CHECK_EVERY} iterations with the current iterate; true stops the run. */
    @FunctionalInterface
    interface Check {
        boolean done(double[] y);
    }

    static final int CHECK_EVERY = 10;

    private GroupFista() {
    }

    /**
     * Runs FISTA from {@code y} (overwritten with the result) with step {@code 1 / lipschitz}.
     *
     * @param relativeStep stop when {@code ||y_new - y|| <= relativeStep * ||y_new||} (0: never)
     * @param check        the stopping test every {@link #CHECK_EVERY} iterations, or null
     * @return the number of iterations run
     */
    static int minimise(Smooth f, double[] penalties, int dims, double lipschitz, double[] y, int maxIterations,
            double relativeStep, Check check) {
        double step = 1 / lipschitz;
        double[] x = y.clone();
        double[] prev = y.clone();
        double t = 1;
        for (int it = 1; it <= maxIterations; it++) {
            double[] g = f.gradient(y);
            double[] next = new double[y.length];
            for (int i = 0; i < y.length; i++) {
                next[i] = y[i] - step * g[i];
            }
            prox(next, penalties, dims, step);
            double restart = 0;
            double change = 0;
            double size = 0;
            for (int i = 0; i < y.length; i++) {
                restart += (y[i] - next[i]) * (next[i] - x[i]);
                change += (next[i] - x[i]) * (next[i] - x[i]);
                size += next[i] * next[i];
            }
            prev = x;
            x = next;
            if (restart > 0) {
                t = 1;
            }
            double tNext = 0.5 * (1 + Math.sqrt(1 + 4 * t * t));
            double momentum = (t - 1) / tNext;
            t = tNext;
            for (int i = 0; i < y.length; i++) {
                y[i] = x[i] + momentum * (x[i] - prev[i]);
            }
            boolean stop = relativeStep > 0 && Math.sqrt(change) <= relativeStep * Math.sqrt(size);
            if (!stop && check != null && it % CHECK_EVERY == 0) {
                stop = check.done(x);
            }
            if (stop || it == maxIterations) {
                System.arraycopy(x, 0, y, 0, y.length);
                return it;
            }
        }
        System.arraycopy(x, 0, y, 0, y.length);
        return maxIterations;
    }

    /** The group soft-threshold at step t, in place. */
    static void prox(double[] v, double[] penalties, int dims, double step) {
        for (int k = 0; k < penalties.length; k++) {
            double norm = Vectors.groupNorm(v, k, dims);
            double threshold = step * penalties[k];
            double s = norm <= threshold ? 0 : 1 - threshold / norm;
            for (int j = k * dims; j < (k + 1) * dims; j++) {
                v[j] *= s;
            }
        }
    }
}
