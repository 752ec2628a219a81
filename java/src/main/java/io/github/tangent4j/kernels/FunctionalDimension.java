package io.github.tangent4j.kernels;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.jacobian.Jacobians;
import io.github.tangent4j.linalg.SingularValues;
import io.github.tangent4j.linalg.SymmetricEigen;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.ParameterMask;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.tensor.TileSink;
import java.util.Objects;

/**
 * The local functional dimension of a network at its parameters: the rank of the parameter Jacobian
 * stacked over a batch, {@code J} of shape (N*O, P) — the dimension of the image of the realisation map's
 * derivative near theta (Grigsby, Lindsey, Meyerhoff and Wu, "Functional dimension of feedforward ReLU
 * neural networks", 2022; Bona-Pellissier, Bachoc and Malgouyres, "Local identifiability of deep ReLU
 * neural networks: the theory", NeurIPS 2022). For generic ReLU networks and enough inputs it is
 * {@code min(N*O, P - hidden units)}: each hidden unit has a positive-rescaling symmetry. With a
 * {@link ParameterMask}, only the trainable columns count (subset learning).
 *
 * <p>Computed in double precision (the network is converted to F64). {@link Method#SVD} (the default)
 * takes the singular values of J and counts those above
 * {@code sigma_max * max(rows, cols) * eps} (eps = 2^-52), as NumPy's {@code matrix_rank} does.
 * {@link Method#GRAM} takes the eigenvalues of {@code J J^T} (the empirical NTK as an (N*O x N*O) matrix,
 * by structured derivatives when no mask is given): cheaper when P is much larger than N*O, but an
 * eigenvalue carries an error of about {@code eps * lambda_max}, so singular values are resolved only
 * down to {@code sigma_max * sqrt(max(rows, cols) * eps)}, its default tolerance.
 */
public final class FunctionalDimension {
    /** How singular values are obtained. */
    public enum Method {
        /** Singular value decomposition of the stacked Jacobian. */
        SVD,
        /** Eigenvalues of the Gram matrix J J^T. */
        GRAM
    }

    /**
     * The rank and what it was read from.
     *
     * @param rank           number of singular values above the tolerance
     * @param singularValues all min(rows, cols) singular values of J (or of J restricted to the mask), descending
     * @param tolerance      the threshold used
     * @param rows           N*O
     * @param cols           number of (trainable) parameters
     */
    public record Result(long rank, double[] singularValues, double tolerance, long rows, long cols) {
    }

    private static final double EPS = Math.ulp(1.0);

    private final Mlp mlp;
    private final Method method;
    private final ParameterMask mask;
    private final double tolerance;

    private FunctionalDimension(Mlp mlp, Method method, ParameterMask mask, double tolerance) {
        this.mlp = mlp;
        this.method = method;
        this.mask = mask;
        this.tolerance = tolerance;
    }

    /** The functional dimension of {@code mlp} (computed in F64), by SVD, all parameters, default tolerance. */
    public static FunctionalDimension of(Mlp mlp) {
        return new FunctionalDimension(Objects.requireNonNull(mlp, "mlp").to(DType.F64), Method.SVD, null, -1);
    }

    /** A copy using {@code method}. */
    public FunctionalDimension withMethod(Method method) {
        return new FunctionalDimension(mlp, Objects.requireNonNull(method, "method"), mask, tolerance);
    }

    /** A copy counting only the parameters {@code mask} marks trainable (null: all). */
    public FunctionalDimension withMask(ParameterMask mask) {
        if (mask != null && mask.size() != mlp.parameterCount()) {
            throw new IllegalArgumentException("mask: expected " + mlp.parameterCount() + " flags but has "
                    + mask.size());
        }
        return new FunctionalDimension(mlp, method, mask, tolerance);
    }

    /** A copy with an absolute tolerance ({@code >= 0}) on singular values instead of the method's default. */
    public FunctionalDimension withTolerance(double tolerance) {
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new IllegalArgumentException("tolerance: expected a finite value >= 0 but was " + tolerance);
        }
        return new FunctionalDimension(mlp, method, mask, tolerance);
    }

    /**
     * The rank of the stacked parameter Jacobian at inputs {@code x} (N, D) of any float dtype.
     *
     * @throws IllegalArgumentException if x does not fit the network or N*O or P exceeds 2^31 - 1
     */
    public Result compute(Backend backend, Tensor x) {
        Objects.requireNonNull(x, "x");
        Tensor xd = x.dtype() == DType.F64 ? x : x.to(DType.F64);
        long rows = (xd.rank() == 2 ? xd.dim(0) : 0) * mlp.outputDim();
        long cols = mask == null ? mlp.parameterCount() : mask.count();
        double[] s;
        if (method == Method.GRAM && mask == null) {
            s = gramSingularValues(asGram(EmpiricalNtk.of(mlp).full(backend, xd, null), rows), rows);
        } else {
            double[] j = stacked(backend, xd, rows, cols);
            s = method == Method.SVD ? SingularValues.of(j, Math.toIntExact(rows), Math.toIntExact(cols))
                    : gramSingularValues(gram(j, rows, cols), rows);
        }
        double sMax = s.length == 0 ? 0 : s[0];
        double tol = tolerance >= 0 ? tolerance
                : method == Method.SVD ? sMax * Math.max(rows, cols) * EPS
                : sMax * Math.sqrt(Math.max(rows, cols) * EPS);
        long rank = 0;
        for (double v : s) {
            rank += v > tol ? 1 : 0;
        }
        return new Result(rank, s, tol, rows, cols);
    }

    /**
     * J (N, O, P) at x as a row-major (N*O x cols) array of the trainable columns, written tile by tile through
     * the engine's row plan ({@link Jacobians#computeInto}): J itself is never held whole.
     */
    private double[] stacked(Backend backend, Tensor x, long rows, long cols) {
        double[] a = new double[Math.toIntExact(Math.multiplyExact(rows, cols))];
        Jacobians parameters = Jacobians.of(mlp).withKind(Jacobians.Kind.PARAMETERS);
        long[] shape = parameters.shape(x.rank() == 2 ? x.dim(0) : 0, 0);
        parameters.computeInto(backend, x, null, TileSink.of(shape, mlp.dtype(), (rowStart, colStart, block) -> {
            long p = mlp.parameterCount();
            long blockRows = block.dim(0) * block.dim(1);
            int k = Math.toIntExact(rowStart * mlp.outputDim() * cols);
            for (long r = 0; r < blockRows; r++) {
                for (long q = 0; q < p; q++) {
                    if (mask == null || mask.trainable(q)) {
                        a[k++] = block.getFlat(r * p + q);
                    }
                }
            }
        }));
        return a;
    }

    /** J J^T (rows x rows) of a row-major (rows x cols) array. */
    private static double[] gram(double[] j, long rows, long cols) {
        int n = Math.toIntExact(rows);
        int c = Math.toIntExact(cols);
        double[] g = new double[n * n];
        for (int a = 0; a < n; a++) {
            for (int b = a; b < n; b++) {
                double s = 0;
                for (int q = 0; q < c; q++) {
                    s += j[a * c + q] * j[b * c + q];
                }
                g[a * n + b] = s;
                g[b * n + a] = s;
            }
        }
        return g;
    }

    /** The empirical NTK (N, N, O, O) as the row-major (N*O x N*O) Gram matrix with rows (i, o). */
    private static double[] asGram(Tensor ntk, long rows) {
        long n = ntk.dim(0);
        long o = ntk.dim(2);
        double[] g = new double[Math.toIntExact(rows * rows)];
        for (long i = 0; i < n; i++) {
            for (long j = 0; j < n; j++) {
                for (long a = 0; a < o; a++) {
                    for (long b = 0; b < o; b++) {
                        g[(int) ((i * o + a) * rows + j * o + b)] = ntk.get(i, j, a, b);
                    }
                }
            }
        }
        return g;
    }

    private static double[] gramSingularValues(double[] g, long rows) {
        double[] lambda = SymmetricEigen.of(g, Math.toIntExact(rows)).values();
        double[] s = new double[lambda.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = Math.sqrt(Math.max(0, lambda[i]));
        }
        java.util.Arrays.sort(s);
        for (int i = 0; i < s.length / 2; i++) {
            double t = s[i];
            s[i] = s[s.length - 1 - i];
            s[s.length - 1 - i] = t;
        }
        return s;
    }
}
