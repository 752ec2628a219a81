package io.github.tangent4j.kernels;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.TileEngine;
import io.github.tangent4j.backend.TileScope;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

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
 * <p><b>How it runs.</b> Everything on the {@link Backend}, in row tiles sized to its memory: one Gram
 * GEMM {@code Sigma_1 = S/D X X2^T + B} per tile, then one {@link Backend#dualLayers} for all layers (each
 * element read and written once; one call per layer when every layer is requested), both kernels
 * updated in place in the inputs' dtype; only the requested layers are downloaded. For K(X, X)
 * ({@code x2} null or x itself) only the blocks on and below the diagonal are computed and the rest is
 * their transpose (about half the work; {@link SymmetricBlocks}). The per-point variances
 * {@code q_l(x) = Sigma_l(x, x)} run on the host in double (O(N L)). The recursions are O(N N2 L) elementwise work against the Gram's
 * O(N N2 D). Cosines within {@link io.github.tangent4j.backend.DualKernel#snapTolerance} of +-1 are
 * taken as +-1, so duplicated and collinear inputs get no spurious angle from rounding.
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
        long n = x.dim(0);
        long n2 = y.dim(0);
        long d = x.dim(1);
        double c0 = d == 0 ? 0 : sigmaW2 / d;
        Result out = allocate(x.dtype(), request, n, n2);
        if (n == 0 || n2 == 0) {
            return out;
        }
        long perRow = x.dtype().byteSize() * (n2 * (request.ntk() ? 2 : 1) + d) + 8L * depth;
        TileEngine tiler = TileEngine.of(backend, perRow).withMinTileBytes(TileEngine.EFFICIENT_TILE_BYTES);
        try (DeviceMatrix yd = backend.upload(y)) {
            // the norms of the second points from their upload; for K(X, X) X is not uploaded again
            double[][] qy = variances(Gram.squaredNorms(backend, yd), c0);
            double[][] qx = same ? qy : variances(Gram.squaredNorms(backend, x), c0);
            double[] columns = new double[depth * (int) n2];
            for (int l = 0; l < depth; l++) {
                System.arraycopy(qy[l], 0, columns, l * (int) n2, (int) n2);
            }
            Job job = new Job(backend, yd, columns, n2, c0, qx, request, out);
            if (same) {
                tiler.run(n, (scope, from, to) -> symmetricRows(job, from, to, scope));
            } else {
                try (DeviceMatrix q2 = depth == 0 ? null : backend.upload(Tensor.of(columns, depth, n2))) {
                    tiler.run(n, (scope, from, to) -> {
                        DeviceMatrix rows = scope.track(backend.upload(x.slice(from, to)));
                        tile(job, rows, from, yd, q2, scratch(x.dtype(), to - from, n2, request, scope),
                                (m, dst) -> backend.download(m, dst.slice(from, to)));
                    });
                }
            }
        }
        return out;
    }

    /**
     * What every tile of one {@link #compute} call shares: the second points {@code yd} on the backend,
     * their variances by layer ({@code columns}, (L, points) row-major), the Gram scale c0, the first
     * points' variances by layer and the result.
     */
    private record Job(Backend backend, DeviceMatrix yd, double[] columns, long points, double c0, double[][] qx,
            Request request, Result out) {
    }

    /**
     * Rows {@code [from, to)} of K(X, X) by the blocks on and below the diagonal ({@link SymmetricBlocks}).
     * The transposes also write rows before {@code from} (their columns {@code [from, to)}); a retry of the
     * tile after running out of memory writes the same values there again.
     */
    private void symmetricRows(Job job, long from, long to, TileScope scope) {
        Backend backend = job.backend();
        DType dtype = job.yd().dtype();
        SymmetricBlocks blocks = new SymmetricBlocks(dtype, to - from, job.points());
        DeviceMatrix[] buffers = scratch(dtype, blocks.rows(), job.points(), job.request(), scope);
        for (long r0 = from; r0 < to; r0 += blocks.rows()) {
            long first = r0;
            long r1 = Math.min(to, r0 + blocks.rows());
            DeviceMatrix[] views = new DeviceMatrix[buffers.length];
            for (int i = 0; i < views.length; i++) {
                views[i] = buffers[i].reshape(buffers[i].size(), 1).rows(0, (r1 - r0) * r1).reshape(r1 - r0, r1);
            }
            try (DeviceMatrix q2 = depth == 0 ? null
                    : backend.upload(leadingColumns(job.columns(), depth, job.points(), r1))) {
                tile(job, job.yd().rows(r0, r1), r0, job.yd().rows(0, r1), q2, views,
                        (m, dst) -> blocks.place(backend, m, dst, first));
            }
        }
    }

    /** The tile's kernel matrices, (rows, cols) each: the NNGP's, and the NTK's when requested. */
    private static DeviceMatrix[] scratch(DType dtype, long rows, long cols, Request request,
            TileScope scope) {
        DeviceMatrix k = scope.allocateUninitialised(dtype, rows, cols);
        return request.ntk() ? new DeviceMatrix[] {k, scope.allocateUninitialised(dtype, rows, cols)}
                : new DeviceMatrix[] {k};
    }

    /** The first {@code count} columns of the (rows, cols) row-major {@code values}, as a tensor. */
    private static Tensor leadingColumns(double[] values, int rows, long cols, long count) {
        double[] out = new double[Math.toIntExact(rows * count)];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(values, (int) (r * cols), out, (int) (r * count), (int) count);
        }
        return Tensor.of(out, rows, count);
    }

    /**
     * Rows {@code [from, from + rows.rows())} of every requested kernel (the points {@code rows}, on the
     * backend) against the points of {@code yd} (whose variances by layer are {@code q2}), in
     * {@code kernels} (the NNGP's and, when requested, the NTK's matrix, (rows, points) each):
     * {@code Sigma_1 = c0 X_rows Y^T + B} by one GEMM, then the layers by {@link Backend#dualLayers} (all at
     * once, or one at a time when every layer is requested), each requested layer handed to {@code sink}
     * with its output tensor.
     */
    private void tile(Job job, DeviceMatrix rows, long from, DeviceMatrix yd, DeviceMatrix q2, DeviceMatrix[] kernels,
            BiConsumer<DeviceMatrix, Tensor> sink) {
        Backend backend = job.backend();
        double c0 = job.c0();
        double[][] qx = job.qx();
        Request request = job.request();
        Result out = job.out();
        int m = Math.toIntExact(rows.rows());
        DeviceMatrix k = kernels[0];
        backend.fill(k, sigmaB2);
        if (rows.cols() > 0) {
            backend.gemm(false, true, c0, rows, yd, 1, k);
        }
        DeviceMatrix theta = null;
        if (request.ntk()) {
            theta = kernels[1];
            backend.copy(k, theta);
        }
        if (request.everyLayer()) {
            for (int l = 0; ; l++) {
                deliver(k, theta, out, l, sink);
                if (l == depth) {
                    return;
                }
                double[] q1 = Arrays.copyOfRange(qx[l], (int) from, (int) from + m);
                try (DeviceMatrix v = backend.upload(Tensor.of(q1, m, 1))) {
                    backend.dualLayers(activation, sigmaW2, sigmaB2, v, q2.rows(l, l + 1), k, theta);
                }
            }
        }
        if (depth > 0) {
            double[] q1 = new double[m * depth];
            for (int i = 0; i < m; i++) {
                for (int l = 0; l < depth; l++) {
                    q1[i * depth + l] = qx[l][(int) from + i];
                }
            }
            try (DeviceMatrix v = backend.upload(Tensor.of(q1, m, depth))) {
                backend.dualLayers(activation, sigmaW2, sigmaB2, v, q2, k, theta);
            }
        }
        deliver(k, theta, out, 0, sink);
    }

    /** Hands the tile's kernels to {@code sink} with their output tensors of result slot {@code slot}. */
    private static void deliver(DeviceMatrix k, DeviceMatrix theta, Result out, int slot,
            BiConsumer<DeviceMatrix, Tensor> sink) {
        sink.accept(k, out.nngp().get(slot));
        if (theta != null) {
            sink.accept(theta, out.ntk().get(slot));
        }
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
        for (int i = 0; i < n; i++) {
            double theta = q[0][i];
            for (int l = 0; ; l++) {
                if (request.everyLayer() || l == depth) {
                    int slot = request.everyLayer() ? l : 0;
                    out.nngp().get(slot).setFlat(i, q[l][i]);
                    if (request.ntk()) {
                        out.ntk().get(slot).setFlat(i, theta);
                    }
                }
                if (l == depth) {
                    break;
                }
                double p = q[l][i];
                theta = q[l + 1][i] + sigmaW2 * dual.derivative(p, p, p) * theta;
            }
        }
        return out;
    }

    /**
     * {@code q_l(x_i) = Sigma_l(x_i, x_i)} for l = 1 ... L+1 (index l - 1) from the squared norms: the
     * diagonal recursion in double.
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

    private Result allocate(DType dtype, Request request, long... shape) {
        int layers = request.everyLayer() ? depth + 1 : 1;
        List<Tensor> nngp = new ArrayList<>();
        List<Tensor> ntk = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            nngp.add(Tensor.allocateUninitialised(dtype, shape));
            if (request.ntk()) {
                ntk.add(Tensor.allocateUninitialised(dtype, shape));
            }
        }
        return new Result(nngp, ntk);
    }
}
