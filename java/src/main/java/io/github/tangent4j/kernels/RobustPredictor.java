package io.github.tangent4j.kernels;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.linalg.SymmetricEigen;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;

/**
 * The mean prediction of an infinitely wide network trained by gradient flow on the Jacobian-regularised
 * loss {@code 1/2 sum_n (f(x_n) - y_n)^2 + lambda/2 sum_n |df/dx(x_n)|^2} (Kim and Yang, "An
 * Infinite-Width Analysis on the Jacobian-Regularised Training of a Neural Network", arXiv 2312.03386,
 * 2023). In the limit the training outputs {@code z = (f(X), df/dx(X))} (N (1+D) values, per point
 * {@code [f, df/dx_1 ... df/dx_D]}) follow the linear ODE {@code dz/dt = -Theta_J Lambda (z - z*)} with
 * the Jacobian NTK {@code Theta_J = Theta_J(X, X)}, {@code Lambda = diag(1 on f rows, lambda on
 * Jacobian rows)} and {@code z* = (Y, 0)}, and a test output follows
 * {@code df(x)/dt = -Theta_J(x, X)_f Lambda (z - z*)} (the f row of the test point's block). From the
 * mean initial state z(0) = 0:
 * <pre>
 *   f_t(x) = Theta_J(x, X)_f  Lambda^{1/2} V diag((1 - exp(-mu t)) / mu) V^T  Lambda^{1/2} z*
 * </pre>
 * with the symmetric eigendecomposition {@code Lambda^{1/2} Theta_J Lambda^{1/2} = V diag(mu) V^T}; at
 * {@code t = inf} the factor is {@code 1 / mu}. Eigen-directions with {@code mu <= size ulp(mu_max)}
 * are null directions (factor 0), as in {@link KernelPredictor#gradientDescent}. At {@code lambda = 0}
 * the Jacobian rows drop out and this is the plain NTK gradient-descent predictor.
 *
 * <p><b>t = inf with lambda &gt; 0 is ill-posed.</b> Where Theta_J(X, X) is positive definite, the flow's
 * limit interpolates f(X) = Y <em>and</em> df/dx(X) = 0, which takes eigen-directions of S with
 * eigenvalues near rounding level. Perturbing Theta_J by 1e-14 (relative) moves f at t = inf by O(1),
 * while f at any finite t up to 1e8 stays the same to 2% (measured in docs/infinite-width-kernels.md,
 * "Prediction"). Ask for finite times: their large values are the true flow, and the t = inf value is
 * dominated by rounding.
 */
public final class RobustPredictor {
    private RobustPredictor() {
    }

    /**
     * The predictor from the kernel matrices.
     *
     * @param thetaTrain the Jacobian NTK between the training inputs, (N (1+D), N (1+D))
     * @param thetaTestF the f rows of the Jacobian NTK between test and training inputs, (M, N (1+D))
     *                   (row {@code m (1+D)} of {@code Theta_J(X*, X)} for each test point m)
     * @param y          targets (N,) or (N, O)
     * @param inputDim   D
     * @param lambda     the Jacobian penalty, >= 0
     * @param times      training times >= 0 ({@code +inf} allowed)
     * @return (T, M) or (T, M, O), the dtype of thetaTrain
     * @throws IllegalArgumentException on inconsistent shapes (naming both), a negative or non-finite
     *                                  lambda, a negative or NaN time, or non-finite kernel values
     */
    public static Tensor predict(Tensor thetaTrain, Tensor thetaTestF, Tensor y, int inputDim, double lambda,
            double[] times) {
        if (inputDim < 0) {
            throw new IllegalArgumentException("inputDim: expected D >= 0 but was " + inputDim);
        }
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("lambda: expected a finite value >= 0 but was " + lambda);
        }
        int b = inputDim + 1;
        if (y == null || y.rank() < 1 || y.rank() > 2) {
            throw new IllegalArgumentException("y: expected targets of shape (N,) or (N, O) but was "
                    + (y == null ? "null" : Shapes.format(y.shape())));
        }
        long n = y.dim(0);
        Tensor zStar = Tensor.allocate(y.dtype(), y.rank() == 1 ? new long[] {n * b} : new long[] {n * b, y.dim(1)});
        int o = y.rank() == 1 ? 1 : Math.toIntExact(y.dim(1));
        if (thetaTrain == null || thetaTrain.rank() != 2 || thetaTrain.dim(0) != n * b) {
            throw new IllegalArgumentException("thetaTrain: expected shape " + Shapes.format(n * b, n * b)
                    + " for N = " + n + " targets and D = " + inputDim + " but was "
                    + (thetaTrain == null ? "null" : Shapes.format(thetaTrain.shape())));
        }
        for (long i = 0; i < n; i++) {
            for (int c = 0; c < o; c++) {
                zStar.setFlat(i * b * o + c, y.getFlat(i * o + c));
            }
        }
        KernelPredictor.Problem p = KernelPredictor.Problem.of(thetaTrain, thetaTestF, zStar, 0, "thetaTrain",
                "thetaTestF");
        KernelPredictor.checkTimes(times);
        int size = p.n;
        double[] root = new double[size]; // Lambda^{1/2}
        for (int r = 0; r < size; r++) {
            root[r] = r % b == 0 ? 1 : Math.sqrt(lambda);
        }
        double[] s = p.k;
        for (int r = 0; r < size; r++) {
            for (int c = 0; c < size; c++) {
                s[r * size + c] *= root[r] * root[c];
            }
        }
        SymmetricEigen eig = SymmetricEigen.of(s, size);
        double[] mu = eig.values();
        double cutoff = size == 0 ? 0 : size * Math.ulp(Math.max(Math.abs(mu[size - 1]), Math.abs(mu[0])));
        double[] rhs = p.y.clone(); // Lambda^{1/2} z* = z* (its Jacobian rows are 0)
        long[] shape = p.o1 ? new long[] {times.length, p.m} : new long[] {times.length, p.m, o};
        Tensor out = Tensor.allocate(thetaTrain.dtype(), shape);
        for (int t = 0; t < times.length; t++) {
            double time = times[t];
            double[] w = eig.applyFunction(l -> KernelPredictor.gradientFlowFactor(l, time, cutoff), rhs, o);
            for (int r = 0; r < size; r++) {
                for (int c = 0; c < o; c++) {
                    w[r * o + c] *= root[r];
                }
            }
            p.writeInto(out, (long) t * p.m * o, KernelPredictor.multiply(p.ks, w, p.m, size, o));
        }
        return out;
    }

    /**
     * The predictor for an architecture: computes the Jacobian NTK between the training inputs
     * {@code x} (N, D) and of the test inputs {@code xTest} (M, D) against them on {@code backend}, and
     * calls {@link #predict(Tensor, Tensor, Tensor, int, double, double[])}.
     */
    public static Tensor predict(Backend backend, InfiniteWidthKernel kernel, Tensor x, Tensor y, Tensor xTest,
            double lambda, double[] times) {
        JacobianKernel jk = JacobianKernel.of(kernel);
        Tensor train = jk.compute(backend, x, null, JacobianKernel.Kind.NTK);
        Tensor f = jk.valueRows(backend, xTest, x, JacobianKernel.Kind.NTK);
        int b = Math.toIntExact(x.dim(1)) + 1;
        return predict(train, f, y, b - 1, lambda, times);
    }
}
