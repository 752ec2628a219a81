package io.github.tangent4j.kernels;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.Progress;
import io.github.tangent4j.backend.internal.DualKernel;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.tensor.TensorSink;
import io.github.tangent4j.tensor.TileSink;
import java.util.stream.IntStream;

/**
 * The kernels of the joint Gaussian process of {@code s(x) = (f(x), df/dx_1(x), ..., df/dx_D(x))} of an
 * infinitely wide network ({@link InfiniteWidthKernel}'s architecture), as used for Jacobian-regularised
 * training (Kim and Yang, "An Infinite-Width Analysis on the Jacobian-Regularised Training of a Neural
 * Network", arXiv 2312.03386, 2023). Between X (N, D) and X2 (N2, D) the result is (N (1+D), N2 (1+D)):
 * point n owns the 1+D consecutive rows (columns) in the order {@code [f, df/dx_1, ..., df/dx_D]}.
 *
 * <ul>
 *   <li><b>Jacobian NNGP</b>: {@code Cov(s_a(x), s_b(x'))}, the blocks {@code K}, {@code dK/dx'_j},
 *       {@code dK/dx_i} and {@code d^2K / dx_i dx'_j} of the NNGP K(x, x') as a function of its two
 *       arguments separately (through {@code K(x, x)} and {@code K(x', x')} as well).</li>
 *   <li><b>Jacobian NTK</b>: the limit of {@code sum_p ds_a(x)/dtheta_p ds_b(x')/dtheta_p} for finite
 *       networks. For erf it equals the mixed derivatives of the NTK. For the piecewise-linear
 *       activations it does not: phi'' = 0 at every finite width, so the terms of the NTK recursion's
 *       derivative that carry the x-dependence of {@code E[phi'(u) phi'(v)]} vanish, and the recursion is
 *       {@code Theta_J,{l+1} = K_J,{l+1} + sigma_w^2 E[phi'(u) phi'(v)] Theta_J,l} block by block.</li>
 * </ul>
 *
 * <p><b>Method.</b> Differentiating the layer recursion analytically (not by finite differences or
 * automatic differentiation of the closed form, which is singular for ReLU at x = x'). By rotation
 * invariance, every gradient of a layer kernel lies in span(x, x') and every mixed Hessian in
 * {@code span(I, e_a e_b^T)} for an orthonormal basis (e1, e2) of span(x, x'): the recursion runs on 10
 * scalars per pair and layer
 * ({@code O(N N2 L)} work after the Gram GEMM), and only the output blocks are {@code O(N N2 D^2)}. The
 * ReLU family's x = x' and collinear limits are finite and handled in closed form (see
 * {@link ArcCosine#valueSecondOrder}). The derivation is in {@code docs/infinite-width-kernels.md}.
 *
 * <p>Like {@link InfiniteWidthKernel}: one Gram GEMM on the backend, host recursions in double, rows in
 * parallel; the result has the inputs' dtype. The family shape: {@code JacobianKernel.of(architecture)
 * .withKind(kind).withProgress(p).withMaxTileRows(r)}, {@link #shape(long, long, long)},
 * {@link #compute(Backend, Tensor, Tensor)} and {@link #computeInto} into any {@link TileSink} (e.g. a
 * memory-mapped {@code .npy}), through the engine's row plan: a tile of points owns their 1+D rows each.
 * Instances are immutable.
 */
public final class JacobianKernel {
    /** Which kernel of (f, df/dx). */
    public enum Kind {
        /** The Jacobian NNGP (covariance of the Gaussian process at initialisation). */
        NNGP,
        /** The Jacobian NTK (limit of the finite networks' tangent kernel of (f, df/dx)). */
        NTK
    }

    private final InfiniteWidthKernel kernel;
    private final DualActivation dual;
    private final double sw2;
    private final double sb2;
    private final int depth;
    private final Kind kind;
    private final Progress progress;
    private final long maxTileRows;

    /** The Jacobian kernels of {@code kernel}'s architecture (its activation, depth and variances). */
    public static JacobianKernel of(InfiniteWidthKernel kernel) {
        return new JacobianKernel(kernel);
    }

    /**
     * The Jacobian kernels of the architecture, e.g. {@code JacobianKernel.of(mlp.architecture())}: the same
     * description, and the same units, as {@link InfiniteWidthKernel#of(io.github.tangent4j.nn.Architecture)}.
     */
    public static JacobianKernel of(io.github.tangent4j.nn.Architecture architecture) {
        return new JacobianKernel(InfiniteWidthKernel.of(architecture));
    }

    /**
     * The shape of the kernel between N and N2 points of dimension D: (N (1+D), N2 (1+D)), per point the
     * rows/columns [f, df/dx_1 ... df/dx_D].
     */
    public long[] shape(long n, long n2, long d) {
        if (n < 0 || n2 < 0 || d < 0) {
            throw new IllegalArgumentException("n, n2, d: expected >= 0 but were " + n + ", " + n2 + ", " + d);
        }
        return new long[] {n * (1 + d), n2 * (1 + d)};
    }

    private JacobianKernel(InfiniteWidthKernel kernel) {
        this(kernel, Kind.NTK, null, Long.MAX_VALUE);
    }

    private JacobianKernel(InfiniteWidthKernel kernel, Kind kind, Progress progress, long maxTileRows) {
        this.kernel = java.util.Objects.requireNonNull(kernel, "kernel");
        this.dual = kernel.dual();
        this.sw2 = kernel.sigmaW2();
        this.sb2 = kernel.sigmaB2();
        this.depth = kernel.depth();
        this.kind = kind;
        this.progress = progress;
        this.maxTileRows = maxTileRows;
    }

    /**
     * A copy whose {@link #compute(Backend, Tensor, Tensor)} and {@link #computeInto} give {@code kind}
     * ({@link Kind#NTK} by default).
     */
    public JacobianKernel withKind(Kind kind) {
        return new JacobianKernel(kernel, java.util.Objects.requireNonNull(kind, "kind"), progress, maxTileRows);
    }

    /** A copy reporting progress (points of x done of N, after each tile) to {@code progress}; null: none. */
    public JacobianKernel withProgress(Progress progress) {
        return new JacobianKernel(kernel, kind, progress, maxTileRows);
    }

    /** A copy whose tiles hold at most {@code rows} (>= 1) points of x (the default: as many as fit). */
    public JacobianKernel withMaxTileRows(long rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows: expected >= 1 but was " + rows);
        }
        return new JacobianKernel(kernel, kind, progress, rows);
    }

    /** The kind {@link #compute(Backend, Tensor, Tensor)} and {@link #computeInto} give. */
    public Kind kind() {
        return kind;
    }

    /** The architecture. */
    public InfiniteWidthKernel kernel() {
        return kernel;
    }

    /**
     * The kernel between the rows of {@code x} (N, D) and {@code x2} (N2, D) ({@code null}: x itself):
     * shape (N (1+D), N2 (1+D)), x's dtype.
     *
     * @throws IllegalArgumentException if an input is not a finite F32/F64 matrix, or their widths or dtypes differ
     */
    public Tensor compute(Backend backend, Tensor x, Tensor x2, Kind kind) {
        return compute(backend, x, x2, kind, false);
    }

    /** {@link #compute(Backend, Tensor, Tensor, Kind)} of this {@link #withKind kind}. */
    public Tensor compute(Backend backend, Tensor x, Tensor x2) {
        return compute(backend, x, x2, kind, false);
    }

    /**
     * This {@link #withKind kind} between the rows of {@code x} (N, D) and {@code x2} (N2, D) ({@code null}: x
     * itself) into {@code sink} of shape {@link #shape(long, long, long) (N (1+D), N2 (1+D))} and x's dtype,
     * tile by tile of points: a tensor or a memory-mapped {@code .npy} ({@link TensorSink}) is written in
     * place, bit for bit as {@link #compute} writes its result; other sinks get the (rows (1+D), N2 (1+D))
     * block of each tile of points.
     *
     * @throws IllegalArgumentException if an input is bad (as {@link #compute}) or the sink has another shape
     *                                  or dtype
     */
    public void computeInto(Backend backend, Tensor x, Tensor x2, TileSink sink) {
        java.util.Objects.requireNonNull(sink, "sink");
        checkInputs(x, x2);
        long[] shape = shape(x.dim(0), x2 == null ? x.dim(0) : x2.dim(0), x.dim(1));
        if (!Shapes.same(shape, sink.shape()) || sink.dtype() != x.dtype()) {
            throw new IllegalArgumentException("sink: expected shape " + Shapes.format(shape) + " of " + x.dtype()
                    + " but was " + Shapes.format(sink.shape()) + " of " + sink.dtype());
        }
        run(backend, x, x2, kind, false, sink);
    }

    /**
     * Only the f rows of {@link #compute}: the kernel between {@code f(x)} for the rows of x (N, D) and
     * {@code [f, df/dx_1 ... df/dx_D]} of the rows of x2 (N2, D), shape (N, N2 (1+D)) — row n is row
     * {@code n (1+D)} of the full matrix. What a prediction at test points x needs.
     *
     * @throws IllegalArgumentException as {@link #compute}
     */
    public Tensor valueRows(Backend backend, Tensor x, Tensor x2, Kind kind) {
        return compute(backend, x, x2, kind, true);
    }

    private Tensor compute(Backend backend, Tensor x, Tensor x2, Kind kind, boolean valueRowsOnly) {
        checkInputs(x, x2);
        long b = x.dim(1) + 1;
        Tensor out = Tensor.allocate(x.dtype(), x.dim(0) * (valueRowsOnly ? 1 : b),
                (x2 == null ? x.dim(0) : x2.dim(0)) * b);
        run(backend, x, x2, kind, valueRowsOnly, TensorSink.of(out));
        return out;
    }

    private static void checkInputs(Tensor x, Tensor x2) {
        Gram.check("x", x, -1, null);
        if (x2 != null && x2 != x) {
            Gram.check("x2", x2, x.dim(1), x.dtype());
        }
    }

    /** The kernel's rows (1 or 1+D per point of x) into {@code sink}, through the engine's row plan. */
    private void run(Backend backend, Tensor x, Tensor x2, Kind kind, boolean valueRowsOnly, TileSink sink) {
        boolean same = x2 == null || x2 == x;
        Tensor y = same ? x : x2;
        if (!same) {
            Gram.check("x2", y, x.dim(1), x.dtype());
        }
        int d = Math.toIntExact(x.dim(1));
        int n2 = Math.toIntExact(y.dim(0));
        int b = d + 1;
        double c0 = d == 0 ? 0 : sw2 / d;
        double[] xs = x.toDoubleArray();
        double[] ys = same ? xs : y.toDoubleArray();
        double[] nx = Gram.squaredNorms(backend, x);
        double[][][] dx = diagonal(nx, c0);
        double[] ny = same ? nx : Gram.squaredNorms(backend, y);
        double[][][] dy = same ? dx : diagonal(ny, c0);
        double tol = DualKernel.snapTolerance(x.dtype());
        int rowsPerPoint = valueRowsOnly ? 1 : b;
        boolean ntk = kind == Kind.NTK;
        Gram.tiles(backend, x, y, maxTileRows, progress, sink, rowsPerPoint, (from, to, gram, out) -> IntStream.range(0, (int) (to - from)).parallel().forEach(r -> {
            int i = (int) from + r;
            double[] g = new double[n2];
            HostRows.read(gram, (long) r * n2, g, n2);
            for (int j = 0; j < n2; j++) {
                g[j] = Gram.snap(g[j], nx[i], ny[j], tol);
            }
            if (same) {
                g[i] = nx[i];
            }
            Basis basis = new Basis(xs, i, d);
            double[][] jets = new double[n2][];
            double[][] e2 = new double[n2][d];
            Pair pair = new Pair();
            double[] dq1 = new double[2];
            double[] dq2 = new double[2];
            double[] xy = new double[2];
            for (int j = 0; j < n2; j++) {
                basis.coordinates(ys, j, e2[j], xy); // x' = xy[0] e1 + xy[1] e2
                pair.start(c0 * g[j] + sb2, c0, basis.norm, xy[0], xy[1]);
                for (int l = 0; l < depth; l++) {
                    dq1[0] = dx[1][l][i] * basis.norm;
                    dq2[0] = dy[1][l][j] * xy[0];
                    dq2[1] = dy[1][l][j] * xy[1];
                    pair.step(dual, sw2, sb2, dx[0][l][i], dy[0][l][j], dq1, dq2, ntk);
                }
                jets[j] = ntk ? pair.theta.clone() : pair.sigma.clone();
            }
            writeBlockRows(out, r, rowsPerPoint, d, n2, basis.e1, e2, jets);
        }));
    }

    /**
     * {@code [0][l][i] = q_l(x_i)} and {@code [1][l][i] = p_l(x_i)} with {@code dq_l/dx = p_l x}, for
     * l = 1 ... L+1 (index l - 1).
     */
    private double[][][] diagonal(double[] norms, double c0) {
        int n = norms.length;
        double[][][] qp = new double[2][depth + 1][n];
        for (int i = 0; i < n; i++) {
            qp[0][0][i] = c0 * norms[i] + sb2;
            qp[1][0][i] = 2 * c0;
            for (int l = 1; l <= depth; l++) {
                double q = qp[0][l - 1][i];
                qp[0][l][i] = sw2 * dual.value(q, q, q) + sb2;
                qp[1][l][i] = sw2 * dual.diagonalSlope(q) * qp[1][l - 1][i];
            }
        }
        return qp;
    }

    /**
     * Writes the first {@code rows} (1 or 1+D) output rows of point i: its blocks against every point j of
     * X2 from their jets, whose vectors are coordinates in the basis (e1, e2[j]).
     */
    private static void writeBlockRows(Tensor out, int i, int rows, int d, int n2, double[] e1, double[][] e2,
            double[][] jets) {
        int b = d + 1;
        long cols = (long) n2 * b;
        double[] row = new double[(int) cols];
        for (int a = 0; a < rows; a++) {
            for (int j = 0; j < n2; j++) {
                double[] t = jets[j];
                double[] f = e2[j];
                int at = j * b;
                if (a == 0) {
                    row[at] = t[Pair.V];
                    for (int c = 0; c < d; c++) {
                        row[at + 1 + c] = t[Pair.H1] * e1[c] + t[Pair.H2] * f[c];
                    }
                } else {
                    double x1 = e1[a - 1];
                    double x2 = f[a - 1];
                    row[at] = t[Pair.G1] * x1 + t[Pair.G2] * x2;
                    double u1 = t[Pair.M11] * x1 + t[Pair.M21] * x2; // coefficient of e1_c
                    double u2 = t[Pair.M12] * x1 + t[Pair.M22] * x2; // coefficient of e2_c
                    for (int c = 0; c < d; c++) {
                        row[at + 1 + c] = u1 * e1[c] + u2 * f[c];
                    }
                    row[at + a] += t[Pair.H0];
                }
            }
            HostRows.write(row, row.length, out, ((long) i * rows + a) * cols);
        }
    }

    /**
     * The orthonormal basis (e1, e2) of span(x, x') in which a pair's derivatives are kept: e1 = x / |x|
     * (0 for x = 0), e2 the normalised part of x' orthogonal to e1 (0 when there is none). Coordinates in
     * an orthonormal basis keep nearly collinear pairs accurate: in the basis (x, x') itself, the
     * coefficients of the ReLU family's second-order terms grow like 1/R and cancel only as matrices.
     */
    static final class Basis {
        final double[] e1;
        final double norm;

        Basis(double[] xs, int i, int d) {
            e1 = new double[d];
            double s = 0;
            for (int c = 0; c < d; c++) {
                s += xs[i * d + c] * xs[i * d + c];
            }
            norm = Math.sqrt(s);
            for (int c = 0; c < d && norm > 0; c++) {
                e1[c] = xs[i * d + c] / norm;
            }
        }

        /** Writes the coordinates (alpha, beta) of row j of {@code ys}, {@code x' = alpha e1 + beta e2}, and e2. */
        void coordinates(double[] ys, int j, double[] e2, double[] alphaBeta) {
            int d = e1.length;
            double alpha = 0;
            for (int c = 0; c < d; c++) {
                alpha += e1[c] * ys[j * d + c];
            }
            double beta2 = 0;
            for (int c = 0; c < d; c++) {
                e2[c] = ys[j * d + c] - alpha * e1[c];
                beta2 += e2[c] * e2[c];
            }
            double beta = Math.sqrt(beta2);
            for (int c = 0; c < d; c++) {
                e2[c] = beta > 0 ? e2[c] / beta : 0;
            }
            alphaBeta[0] = alpha;
            alphaBeta[1] = beta;
        }
    }

    /**
     * The state of one pair (x, x') through the layers: for the NNGP and the NTK, the value and its
     * derivatives in an orthonormal basis (e1, e2) of span(x, x'): {@code d/dx = G1 e1 + G2 e2},
     * {@code d/dx' = H1 e1 + H2 e2}, {@code d^2/dx dx'^T = H0 I + sum_ab Mab e_a e_b^T}.
     */
    static final class Pair {
        static final int V = 0;
        static final int G1 = 1;
        static final int G2 = 2;
        static final int H1 = 3;
        static final int H2 = 4;
        static final int H0 = 5;
        static final int M11 = 6;
        static final int M12 = 7;
        static final int M21 = 8;
        static final int M22 = 9;

        final double[] sigma = new double[10];
        final double[] theta = new double[10];
        private final double[] fp = new double[3];
        private final double[] fs = new double[4];
        private final double[] dp = new double[3];
        private final double[] ds = new double[4];
        private final double[] g = new double[2];
        private final double[] h = new double[2];
        private final double[] ns = new double[10];
        private final double[] nt = new double[10];
        private final double[] ax = new double[2];
        private final double[] bx = new double[2];

        /**
         * Layer 1 with x = (norm, 0) and x' = (alpha, beta): {@code Sigma_1 = k = c0 x.x' + B},
         * {@code d/dx = c0 x'}, {@code d/dx' = c0 x}, {@code d^2 = c0 I}; Theta_1 = Sigma_1.
         */
        void start(double k, double c0, double norm, double alpha, double beta) {
            java.util.Arrays.fill(sigma, 0);
            sigma[V] = k;
            sigma[G1] = c0 * alpha;
            sigma[G2] = c0 * beta;
            sigma[H1] = c0 * norm;
            sigma[H0] = c0;
            System.arraycopy(sigma, 0, theta, 0, 10);
        }

        /**
         * One layer, with {@code q1 = q_l(x)}, {@code q2 = q_l(x')} and their gradients dq1 (in x) and dq2
         * (in x'): the chain rule through {@code S F(q1, q2, k) + B} and {@code + S Fdot Theta}.
         */
        void step(DualActivation dual, double s, double bias, double q1, double q2, double[] dq1, double[] dq2,
                boolean ntk) {
            double[] o = sigma;
            double k = o[V];
            g[0] = o[G1];
            g[1] = o[G2];
            h[0] = o[H1];
            h[1] = o[H2];
            dual.valuePartials(q1, q2, k, fp);
            dual.valueSecondOrder(q1, q2, k, dq1, dq2, g, h, fs);
            double fk = fp[2];
            ns[V] = s * dual.value(q1, q2, k) + bias;
            for (int a = 0; a < 2; a++) {
                ns[G1 + a] = s * (fp[0] * dq1[a] + fk * g[a]);
                ns[H1 + a] = s * (fp[1] * dq2[a] + fk * h[a]);
            }
            ns[H0] = s * fk * o[H0];
            for (int m = 0; m < 4; m++) {
                ns[M11 + m] = s * (fk * o[M11 + m] + fs[m]);
            }
            if (ntk) {
                double dot = fk; // E[phi'(u) phi'(v)] = dF/dk
                dual.derivativePartials(q1, q2, k, dp);
                dual.derivativeSecondOrder(q1, q2, k, dq1, dq2, g, h, ds);
                double dk = dp[2];
                double[] t = theta;
                double tv = t[V];
                nt[V] = ns[V] + s * dot * tv;
                // ax = d Fdot / dx, bx = d Fdot / dx'
                for (int a = 0; a < 2; a++) {
                    ax[a] = dp[0] * dq1[a] + dk * g[a];
                    bx[a] = dp[1] * dq2[a] + dk * h[a];
                    nt[G1 + a] = ns[G1 + a] + s * (ax[a] * tv + dot * t[G1 + a]);
                    nt[H1 + a] = ns[H1 + a] + s * (bx[a] * tv + dot * t[H1 + a]);
                }
                nt[H0] = ns[H0] + s * (dk * o[H0] * tv + dot * t[H0]);
                for (int a = 0; a < 2; a++) {
                    for (int b = 0; b < 2; b++) {
                        int m = M11 + 2 * a + b;
                        nt[m] = ns[m] + s * ((ds[2 * a + b] + dk * o[m]) * tv + ax[a] * t[H1 + b] + t[G1 + a] * bx[b]
                                + dot * t[m]);
                    }
                }
                System.arraycopy(nt, 0, theta, 0, 10);
            }
            System.arraycopy(ns, 0, sigma, 0, 10);
        }
    }
}
