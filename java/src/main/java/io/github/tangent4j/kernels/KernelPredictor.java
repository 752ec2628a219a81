package io.github.tangent4j.kernels;

import io.github.tangent4j.linalg.Cholesky;
import io.github.tangent4j.linalg.SymmetricEigen;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;

/**
 * Prediction with a kernel (analytic or empirical) from training inputs X with targets Y at test
 * points, given the kernel matrices {@code K = K(X, X)} (N, N), {@code Ks = K(X*, X)} (M, N) and, for
 * the covariance, {@code Kss = K(X*, X*)} (M, M). Targets are (N,) or (N, O); predictions follow the
 * same convention, (M,) or (M, O). A diagonal regulariser {@code reg >= 0} replaces K by
 * {@code K + reg I} everywhere. All linear algebra in double precision on the host (EJML, package
 * {@code linalg}); results have the dtype of K.
 *
 * <ul>
 *   <li>{@link #posterior}: the Gaussian-process posterior mean {@code Ks (K + reg I)^{-1} Y} and covariance
 *       {@code Kss - Ks (K + reg I)^{-1} Ks^T} by Cholesky (Rasmussen and Williams 2006, algorithm 2.1;
 *       with the NNGP, the exact Bayesian posterior of an infinitely wide network, Lee et al. 2018).</li>
 *   <li>{@link #gradientDescent}: the mean prediction of the NTK-linearised network trained by gradient
 *       flow on {@code 1/2 sum_n (f(x_n) - y_n)^2} from an output that is 0 on average (Jacot et al. 2018;
 *       Lee et al., "Wide Neural Networks of Any Depth Evolve as Linear Models Under Gradient Descent",
 *       NeurIPS 2019): {@code f_t(X*) = Ks K^{-1} (I - exp(-K t)) Y}, by the eigendecomposition
 *       {@code K = V diag(lambda) V^T}, i.e. {@code Ks V diag((1 - exp(-lambda t)) / lambda) V^T Y}; at
 *       {@code t = inf} the factor is {@code 1 / lambda}, the posterior mean without noise. Time is in
 *       units of the learning rate (the ODE {@code df(X)/dt = -K (f(X) - Y)}). Eigen-directions with
 *       {@code lambda <= N ulp(lambda_max)} are treated as null directions (factor 0 at every t), as a
 *       pseudo-inverse does: gradient flow cannot move the output along them.</li>
 * </ul>
 */
public final class KernelPredictor {
    private KernelPredictor() {
    }

    /**
     * The posterior mean and covariance.
     *
     * @param mean       (M,) or (M, O) like Y
     * @param covariance (M, M), or null when no test kernel was given
     */
    public record Posterior(Tensor mean, Tensor covariance) {
    }

    /**
     * The Gaussian-process posterior.
     *
     * @param kTrain     K(X, X), (N, N)
     * @param kTestTrain K(X*, X), (M, N)
     * @param kTest      K(X*, X*), (M, M), or null for the mean only
     * @param y          targets, (N,) or (N, O)
     * @param reg        the diagonal regulariser (noise variance), >= 0
     * @throws IllegalArgumentException on a shape mismatch (naming both shapes), a negative or non-finite
     *                                  reg, non-finite values, or when {@code K + reg I} is not numerically
     *                                  positive definite (then: increase reg)
     */
    public static Posterior posterior(Tensor kTrain, Tensor kTestTrain, Tensor kTest, Tensor y, double reg) {
        Problem p = Problem.of(kTrain, kTestTrain, y, reg);
        if (kTest != null) {
            checkShape("kTest", kTest, p.m, p.m);
        }
        Cholesky chol;
        try {
            chol = Cholesky.of(p.k, p.n);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("kTrain: K(X, X) + " + reg + " I is not numerically positive definite; "
                    + "use a larger regulariser");
        }
        double[] a = chol.solve(transpose(p.ks, p.m, p.n), p.m); // (N, M) = (K + reg I)^{-1} Ks^T
        double[] mean = new double[p.m * p.o];
        for (int i = 0; i < p.m; i++) {
            for (int r = 0; r < p.n; r++) {
                double w = a[r * p.m + i];
                for (int c = 0; c < p.o; c++) {
                    mean[i * p.o + c] += w * p.y[r * p.o + c];
                }
            }
        }
        Tensor cov = null;
        if (kTest != null) {
            double[] kss = kTest.toDoubleArray();
            cov = Tensor.allocate(p.dtype, p.m, p.m);
            for (int i = 0; i < p.m; i++) {
                for (int j = 0; j < p.m; j++) {
                    double s = 0;
                    for (int r = 0; r < p.n; r++) {
                        s += p.ks[i * p.n + r] * a[r * p.m + j];
                    }
                    cov.setFlat((long) i * p.m + j, kss[i * p.m + j] - s);
                }
            }
        }
        return new Posterior(p.output(mean), cov);
    }

    /**
     * The gradient-descent predictor at each time in {@code times} ({@code >= 0}; {@code +inf} allowed):
     * shape (T, M) or (T, M, O).
     *
     * @throws IllegalArgumentException on a shape mismatch, a negative, NaN or non-finite reg, a negative
     *                                  or NaN time, or non-finite kernel values
     */
    public static Tensor gradientDescent(Tensor kTrain, Tensor kTestTrain, Tensor y, double reg, double[] times) {
        Problem p = Problem.of(kTrain, kTestTrain, y, reg);
        checkTimes(times);
        SymmetricEigen eig = SymmetricEigen.of(p.k, p.n);
        double[] lambda = eig.values();
        double cutoff = p.n == 0 ? 0 : p.n * Math.ulp(Math.max(Math.abs(lambda[p.n - 1]), Math.abs(lambda[0])));
        long[] shape = p.o1 ? new long[] {times.length, p.m} : new long[] {times.length, p.m, p.o};
        Tensor out = Tensor.allocate(p.dtype, shape);
        for (int t = 0; t < times.length; t++) {
            double time = times[t];
            double[] w = eig.applyFunction(l -> gradientFlowFactor(l, time, cutoff), p.y, p.o); // (N, O)
            p.writeInto(out, (long) t * p.m * p.o, multiply(p.ks, w, p.m, p.n, p.o));
        }
        return out;
    }

    /** {@code (1 - exp(-lambda t)) / lambda}; {@code 1 / lambda} at t = inf; 0 for lambda <= cutoff. */
    static double gradientFlowFactor(double lambda, double t, double cutoff) {
        if (!(lambda > cutoff)) {
            return 0;
        }
        return t == Double.POSITIVE_INFINITY ? 1 / lambda : -Math.expm1(-lambda * t) / lambda;
    }

    static void checkTimes(double[] times) {
        for (int i = 0; i < times.length; i++) {
            if (!(times[i] >= 0)) {
                throw new IllegalArgumentException("times: expected values >= 0 (inf allowed) but times[" + i + "] was "
                        + times[i]);
            }
        }
    }

    /** {@code a (rows x inner) b (inner x cols)}, row-major. */
    static double[] multiply(double[] a, double[] b, int rows, int inner, int cols) {
        double[] c = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int r = 0; r < inner; r++) {
                double v = a[i * inner + r];
                if (v == 0) {
                    continue;
                }
                for (int j = 0; j < cols; j++) {
                    c[i * cols + j] += v * b[r * cols + j];
                }
            }
        }
        return c;
    }

    static double[] transpose(double[] a, int rows, int cols) {
        double[] t = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        return t;
    }

    static void checkShape(String name, Tensor t, long rows, long cols) {
        if (t == null || t.rank() != 2 || t.dim(0) != rows || t.dim(1) != cols) {
            throw new IllegalArgumentException(name + ": expected shape " + Shapes.format(rows, cols) + " but was "
                    + (t == null ? "null" : Shapes.format(t.shape())));
        }
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException(name + ": expected a float array but was " + t.dtype());
        }
    }

    /** The checked inputs as row-major doubles, with {@code K + reg I}. */
    static final class Problem {
        final int n;
        final int m;
        final int o;
        final boolean o1;
        final double[] k;
        final double[] ks;
        final double[] y;
        final DType dtype;

        private Problem(int n, int m, int o, boolean o1, double[] k, double[] ks, double[] y, DType dtype) {
            this.n = n;
            this.m = m;
            this.o = o;
            this.o1 = o1;
            this.k = k;
            this.ks = ks;
            this.y = y;
            this.dtype = dtype;
        }

        static Problem of(Tensor kTrain, Tensor kTestTrain, Tensor y, double reg) {
            return of(kTrain, kTestTrain, y, reg, "kTrain", "kTestTrain");
        }

        /** {@link #of(Tensor, Tensor, Tensor, double)} with the two kernels' argument names for messages. */
        static Problem of(Tensor kTrain, Tensor kTestTrain, Tensor y, double reg, String trainName, String testName) {
            if (kTrain == null || kTrain.rank() != 2 || kTrain.dim(0) != kTrain.dim(1)) {
                throw new IllegalArgumentException(trainName + ": expected a square (N, N) matrix but was "
                        + (kTrain == null ? "null" : Shapes.format(kTrain.shape())));
            }
            int n = Math.toIntExact(kTrain.dim(0));
            checkShape(trainName, kTrain, n, n);
            if (kTestTrain == null || kTestTrain.rank() != 2 || kTestTrain.dim(1) != n) {
                throw new IllegalArgumentException(testName + ": expected shape (M, " + n + ") but was "
                        + (kTestTrain == null ? "null" : Shapes.format(kTestTrain.shape())));
            }
            int m = Math.toIntExact(kTestTrain.dim(0));
            checkShape(testName, kTestTrain, m, n);
            if (y == null || (y.rank() != 1 && y.rank() != 2) || y.dim(0) != n || !y.dtype().isFloating()) {
                throw new IllegalArgumentException("y: expected float targets of shape (" + n + ",) or (" + n
                        + ", O) but was " + (y == null ? "null" : Shapes.format(y.shape()) + " " + y.dtype()));
            }
            if (!(reg >= 0) || Double.isInfinite(reg)) {
                throw new IllegalArgumentException("reg: expected a finite value >= 0 but was " + reg);
            }
            boolean o1 = y.rank() == 1;
            int o = o1 ? 1 : Math.toIntExact(y.dim(1));
            double[] k = finite(trainName, kTrain.toDoubleArray());
            for (int i = 0; i < n; i++) {
                k[i * n + i] += reg;
            }
            return new Problem(n, m, o, o1, k, finite(testName, kTestTrain.toDoubleArray()),
                    finite("y", y.toDoubleArray()), kTrain.dtype());
        }

        static double[] finite(String name, double[] a) {
            for (int i = 0; i < a.length; i++) {
                if (!Double.isFinite(a[i])) {
                    throw new IllegalArgumentException(name + ": expected finite values but element " + i + " is "
                            + a[i]);
                }
            }
            return a;
        }

        /** A (M,) or (M, O) tensor holding {@code v}. */
        Tensor output(double[] v) {
            Tensor t = o1 ? Tensor.allocate(dtype, m) : Tensor.allocate(dtype, m, o);
            writeInto(t, 0, v);
            return t;
        }

        void writeInto(Tensor t, long at, double[] v) {
            for (int i = 0; i < v.length; i++) {
                t.setFlat(at + i, v[i]);
            }
        }
    }
}
