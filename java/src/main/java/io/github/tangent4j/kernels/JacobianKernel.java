package io.github.tangent4j.kernels;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.Progress;
import io.github.tangent4j.backend.internal.DualKernel;
import io.github.tangent4j.tensor.Finite;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.tensor.TensorSink;
import io.github.tangent4j.tensor.TileSink;
import java.util.concurrent.atomic.AtomicBoolean;

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
 * <p>Like {@link InfiniteWidthKernel}: one Gram GEMM on the backend, then the per-pair layer recursion in
 * double by the backend's {@link Backend#jacobianLayers} ({@link PairRecursion}; on the device for the CUDA
 * backend), and the output blocks expanded from it on the host ({@link JetBlocks}), rows in parallel; for
 * K(X, X) the recursion runs on about half the pairs and the other blocks are written as transposes
 * ({@link PairRecursion}'s mirror). The result has the inputs' dtype. The family shape: {@code JacobianKernel.of(architecture)
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
        // every element is written (row blocks in parallel, so the fresh pages fault in on every core)
        Tensor out = Tensor.allocateUninitialised(x.dtype(), x.dim(0) * (valueRowsOnly ? 1 : b),
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
        double[] e1s = new double[xs.length];
        for (int i = 0; i < x.dim(0); i++) {
            System.arraycopy(new Basis(xs, i, d).e1, 0, e1s, i * d, d);
        }
        PairRecursion pairs = new PairRecursion(kernel, c0, d, xs, ys, nx, ny, dx, dy, same, tol, kind == Kind.NTK,
                !valueRowsOnly);
        Gram.tiles(backend, x, y, maxTileRows, progress, sink, rowsPerPoint, (from, to, gram, out) -> {
            AtomicBoolean unbounded = new AtomicBoolean();
            pairs.tile(backend, from, to, gram, new PairRecursion.JetRows() {
                @Override
                public void row(int i, double[] jets, int jetsAt, double[] coordinates, int pairsAt, int[] columns,
                        int n) {
                    if (!JetBlocks.bounded(jets, jetsAt, n, x.dtype())) {
                        unbounded.set(true);
                    }
                    JetBlocks.writeRow(out, (int) (i - from), rowsPerPoint, d, e1s, i, ys, coordinates, pairsAt, jets,
                            jetsAt, columns, n, JetBlocks.VECTOR);
                }

                @Override
                public void mirror(int j, int i0, int m, double[] jets, int jetsAt, int jetStride, double[] coordinates,
                        int pairsAt, int pairStride) {
                    JetBlocks.writeMirror(out, (int) (j - from), d, e1s, i0, m, ys, j, coordinates, pairsAt, pairStride,
                            jets, jetsAt, jetStride, JetBlocks.VECTOR);
                }
            });
            if (unbounded.get()) {
                Finite.checkTile(out, from * rowsPerPoint, 0); // names the first element, on the caller's thread
            }
        });
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

        /**
         * Writes the coordinates (alpha, beta) of row j of {@code ys}, {@code x' = alpha e1 + beta e2}, and e2
         * (d elements).
         */
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
}
