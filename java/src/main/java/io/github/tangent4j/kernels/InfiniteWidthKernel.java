package io.github.tangent4j.kernels;

import io.github.tangent4j.backend.Activation;
import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The infinite-width NNGP and NTK of a fully connected network with L hidden layers in the NTK
 * parameterization: {@code h_1 = sigma_w / sqrt(D) W_1 x + sigma_b b_1},
 * {@code h_{l+1} = sigma_w / sqrt(n_l) W_{l+1} phi(h_l) + sigma_b b_{l+1}}, all entries N(0, 1),
 * {@code f = h_{L+1}}, as every width goes to infinity (Neal 1996; Williams 1997; Lee et al., "Deep
 * Neural Networks as Gaussian Processes", ICLR 2018; Jacot, Gabriel and Hongler, "Neural Tangent
 * Kernel", NeurIPS 2018). With {@code S = sigma_w^2} and {@code B = sigma_b^2}:
 * <pre>
 *   Sigma_1(x, x') = S x.x' / D + B,                   Theta_1 = Sigma_1
 *   Sigma_{l+1}    = S F(q_l(x), q_l(x'), Sigma_l) + B, q_l(x) = Sigma_l(x, x)
 *   Theta_{l+1}    = Sigma_{l+1} + S Fdot(q_l(x), q_l(x'), Sigma_l) Theta_l
 * </pre>
 * where F and Fdot are the dual activation's {@code E[phi(u) phi(v)]} and {@code E[phi'(u) phi'(v)]}:
 * arc-cosine kernels for relu, leaky_relu, abs and identity (Cho and Saul 2009), the arcsine kernel for
 * erf (Williams 1997). The NNGP of the output is {@code Sigma_{L+1}}, the NTK {@code Theta_{L+1}};
 * layer l's kernels ({@code l = 1 ... L+1}, those of the pre-activations {@code h_l}) are available too.
 *
 * <p><b>How it runs.</b> One Gram GEMM {@code X X2^T} on the {@link Backend} (row tiles sized to its
 * memory) and the squared row norms on the backend; the Gram tiles are downloaded and the per-layer
 * recursions run elementwise on the host in double precision, rows in parallel (the common fork-join
 * pool). Results have the inputs' dtype. The recursions are O(N N2 L) work against the Gram's
 * O(N N2 D). For {@code x2 == x} (the same object, or {@code null}) the diagonal pairs use the row
 * norms as their Gram entry, so that the cosine of a point with itself is exactly 1; Gram entries whose
 * cosine is within 16 ulps of +-1 are snapped to it (duplicates are then exact; see {@code Gram.snap}).
 *
 * <p>Immutable and thread-safe (a {@link Backend} itself is single-threaded).
 */
public final class InfiniteWidthKernel {
    private final Activation activation;
    private final DualActivation dual;
    private final int depth;
    private final double sigmaW2;
    private final double sigmaB2;

    /**
     * The kernels of a network with {@code depth} hidden layers.
     *
     * @param activation phi: relu, leaky_relu, abs, erf or identity
     * @param depth      L >= 0 hidden layers (0: the linear model {@code S x.x'/D + B})
     * @param sigmaW2    the weight variance {@code sigma_w^2 >= 0}
     * @param sigmaB2    the bias variance {@code sigma_b^2 >= 0}
     * @throws IllegalArgumentException for tanh, a negative depth or a negative or non-finite variance
     */
    public InfiniteWidthKernel(Activation activation, int depth, double sigmaW2, double sigmaB2) {
        this.dual = DualActivation.of(activation);
        this.activation = activation;
        if (depth < 0) {
            throw new IllegalArgumentException("depth: expected >= 0 hidden layers but was " + depth);
        }
        if (!(sigmaW2 >= 0) || Double.isInfinite(sigmaW2)) {
            throw new IllegalArgumentException("sigmaW2: expected a finite value >= 0 but was " + sigmaW2);
        }
        if (!(sigmaB2 >= 0) || Double.isInfinite(sigmaB2)) {
            throw new IllegalArgumentException("sigmaB2: expected a finite value >= 0 but was " + sigmaB2);
        }
        this.depth = depth;
        this.sigmaW2 = sigmaW2;
        this.sigmaB2 = sigmaB2;
    }

    /** The activation phi. */
    public Activation activation() {
        return activation;
    }

    /** The number of hidden layers L. */
    public int depth() {
        return depth;
    }

    /** {@code sigma_w^2}. */
    public double sigmaW2() {
        return sigmaW2;
    }

    /** {@code sigma_b^2}. */
    public double sigmaB2() {
        return sigmaB2;
    }

    DualActivation dual() {
        return dual;
    }

    /** What to compute: the NTK besides the NNGP, and every layer's kernels or the output's only. */
    public record Request(boolean ntk, boolean everyLayer) {
        /** The output NNGP only. */
        public static final Request NNGP = new Request(false, false);
        /** The output NNGP and NTK. */
        public static final Request NNGP_AND_NTK = new Request(true, false);
    }

    /**
     * Kernels by layer.
     *
     * @param nngp  the NNGP kernels, of layers 1 ... L+1 when every layer was requested, else the output's only
     * @param ntk   the NTK kernels, the same layers; empty when not requested
     */
    public record Result(List<Tensor> nngp, List<Tensor> ntk) {
        /** Copies the lists. */
        public Result {
            nngp = List.copyOf(nngp);
            ntk = List.copyOf(ntk);
        }

        /** The output NNGP {@code Sigma_{L+1}}. */
        public Tensor outputNngp() {
            return nngp.get(nngp.size() - 1);
        }

        /**
         * The output NTK {@code Theta_{L+1}}.
         *
         * @throws IllegalStateException if the NTK was not requested
         */
        public Tensor outputNtk() {
            if (ntk.isEmpty()) {
                throw new IllegalStateException("the NTK was not requested");
            }
            return ntk.get(ntk.size() - 1);
        }
    }

    /**
     * The kernels between the rows of {@code x} (N, D) and {@code x2} (N2, D): tensors of shape (N, N2)
     * and x's dtype.
     *
     * @param x2 the second inputs, x's dtype; {@code null} for x itself
     * @throws IllegalArgumentException if an input is not a finite F32/F64 matrix, or their widths or
     *                                  dtypes differ
     */
    public Result compute(Backend backend, Tensor x, Tensor x2, Request request) {
        Gram.check("x", x, -1, null);
        boolean same = x2 == null || x2 == x;
        Tensor y = same ? x : x2;
        if (!same) {
            Gram.check("x2", y, x.dim(1), x.dtype());
        }
        int n2 = Math.toIntExact(y.dim(0));
        double c0 = x.dim(1) == 0 ? 0 : sigmaW2 / x.dim(1);
        double[] nx = Gram.squaredNorms(backend, x);
        double[] ny = same ? nx : Gram.squaredNorms(backend, y);
        double[][] qx = variances(nx, c0);
        double[][] qy = same ? qx : variances(ny, c0);
        double tol = Gram.snapTolerance(x.dtype());
        Result out = allocate(x.dtype(), request, x.dim(0), n2);
        Gram.tiles(backend, x, y, (from, to, gram) -> IntStream.range(0, (int) (to - from)).parallel().forEach(r -> {
            int i = (int) from + r;
            double[] k = new double[n2];
            HostRows.read(gram, (long) r * n2, k, n2);
            for (int j = 0; j < n2; j++) {
                k[j] = c0 * Gram.snap(k[j], nx[i], ny[j], tol) + sigmaB2;
            }
            if (same) {
                k[i] = qx[0][i];
            }
            row(i, k, qx, qy, request, out, (long) i * n2);
        }));
        return out;
    }

    /**
     * The kernels of each row of {@code x} (N, D) with itself, {@code K(x_i, x_i)}: tensors of shape (N,)
     * and x's dtype, with O(N D) work (the squared norms on the backend).
     *
     * @throws IllegalArgumentException if x is not a finite F32/F64 matrix
     */
    public Result diagonal(Backend backend, Tensor x, Request request) {
        Gram.check("x", x, -1, null);
        double c0 = x.dim(1) == 0 ? 0 : sigmaW2 / x.dim(1);
        double[][] q = variances(Gram.squaredNorms(backend, x), c0);
        int n = q[0].length;
        Result out = allocate(x.dtype(), request, n);
        IntStream.range(0, n).parallel().forEach(i -> {
            double[] k = {q[0][i]};
            row(i, k, q, new double[][] {}, request, out, i);
        });
        return out;
    }

    /**
     * {@code q_l(x_i) = Sigma_l(x_i, x_i)} for l = 1 ... L+1 (index l - 1) from the squared norms:
     * the diagonal recursion, through the same dual-activation code as the off-diagonal entries so that
     * identical pairs agree exactly.
     */
    private double[][] variances(double[] norms, double c0) {
        double[][] q = new double[depth + 1][norms.length];
        for (int i = 0; i < norms.length; i++) {
            q[0][i] = c0 * norms[i] + sigmaB2;
        }
        for (int l = 1; l <= depth; l++) {
            for (int i = 0; i < norms.length; i++) {
                double p = q[l - 1][i];
                q[l][i] = sigmaW2 * dual.value(p, p, p) + sigmaB2;
            }
        }
        return q;
    }

    /**
     * Runs the recursion on one row: {@code k} holds {@code Sigma_1(x_i, .)} on entry; writes the
     * requested layers at flat position {@code at}. With {@code qy} empty, the row is the single
     * diagonal entry (its own variance as second argument).
     */
    private void row(int i, double[] k, double[][] qx, double[][] qy, Request request, Result out, long at) {
        int n = k.length;
        double[] theta = request.ntk() ? k.clone() : null;
        double[] f = new double[n];
        double[] dot = request.ntk() ? new double[n] : null;
        for (int l = 0; ; l++) {
            if (request.everyLayer() || l == depth) {
                int slot = request.everyLayer() ? l : 0;
                HostRows.write(k, n, out.nngp().get(slot), at);
                if (theta != null) {
                    HostRows.write(theta, n, out.ntk().get(slot), at);
                }
            }
            if (l == depth) {
                return;
            }
            double[] q2 = qy.length == 0 ? new double[] {qx[l][i]} : qy[l];
            dual.evaluate(qx[l][i], q2, k, f, dot, n);
            for (int j = 0; j < n; j++) {
                double s = sigmaW2 * f[j] + sigmaB2;
                if (theta != null) {
                    theta[j] = s + sigmaW2 * dot[j] * theta[j];
                }
                k[j] = s;
            }
        }
    }

    private Result allocate(DType dtype, Request request, long... shape) {
        int layers = request.everyLayer() ? depth + 1 : 1;
        List<Tensor> nngp = new ArrayList<>();
        List<Tensor> ntk = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            nngp.add(Tensor.allocate(dtype, shape));
            if (request.ntk()) {
                ntk.add(Tensor.allocate(dtype, shape));
            }
        }
        return new Result(nngp, ntk);
    }
}
