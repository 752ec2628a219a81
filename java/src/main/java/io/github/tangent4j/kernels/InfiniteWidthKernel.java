package io.github.tangent4j.kernels;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.Progress;
import io.github.tangent4j.backend.TileEngine;
import io.github.tangent4j.backend.TilePlan;
import io.github.tangent4j.backend.TileScope;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Architecture;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Finite;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.tensor.TensorSink;
import io.github.tangent4j.tensor.TileSink;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
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
 * O(N N2 D). Cosines within {@link io.github.tangent4j.backend.internal.DualKernel#snapTolerance} of +-1 are
 * taken as +-1, so duplicated and collinear inputs get no spurious angle from rounding.
 *
 * <p>Immutable and thread-safe (a {@link Backend} itself is single-threaded).
 */
public final class InfiniteWidthKernel {
    /** Which kernels to compute (neural-tangents' {@code get}). */
    public enum Get {
        /** The NNGP kernel Sigma. */
        NNGP,
        /** The NTK Theta (its recursion also runs the NNGP's). */
        NTK
    }

    private final Activation activation;
    private final DualActivation dual;
    private final int depth;
    private final double sigmaW2;
    private final double sigmaB2;
    private final Set<Get> get;
    private final boolean everyLayer;
    private final Progress progress;
    private final long maxTileRows;

    private InfiniteWidthKernel(Activation activation, int depth, double sigmaW2, double sigmaB2, Set<Get> get,
            boolean everyLayer, Progress progress, long maxTileRows) {
        this.dual = DualActivation.of(activation);
        this.activation = activation;
        this.depth = depth;
        this.sigmaW2 = sigmaW2;
        this.sigmaB2 = sigmaB2;
        this.get = get;
        this.everyLayer = everyLayer;
        this.progress = progress;
        this.maxTileRows = maxTileRows;
    }

    /**
     * The infinite-width kernels of the architecture: {@code architecture.depth()} hidden layers of
     * {@code architecture.activation()}, {@code S = sigma_w^2} and {@code B = sigma_b^2} from its
     * {@link Parameterization} ({@link Parameterization#weightVariance()}, {@link Parameterization#biasVariance()}).
     * By default both kernels ({@code get = {NNGP, NTK}}), of the output layer only, tiles sized to memory.
     * For a network {@code mlp}: {@code InfiniteWidthKernel.of(mlp.architecture())}.
     *
     * @throws IllegalArgumentException for tanh (no closed form), or a STANDARD parameterization (the limit is
     *                                  that of the NTK parameterization)
     */
    public static InfiniteWidthKernel of(Architecture architecture) {
        Objects.requireNonNull(architecture, "architecture");
        Parameterization p = architecture.parameterization();
        if (p.kind() != Parameterization.Kind.NTK) {
            throw new IllegalArgumentException("architecture: expected the NTK parameterization (the infinite-width "
                    + "limit taken here) but was " + p);
        }
        return new InfiniteWidthKernel(architecture.activation(), architecture.depth(), p.weightVariance(),
                p.biasVariance(), EnumSet.allOf(Get.class), false, null, Long.MAX_VALUE);
    }

    /**
     * A copy computing the kernels in {@code get} (non-empty); the NNGP is computed whenever the NTK is, and
     * then also returned by {@link #compute}.
     */
    public InfiniteWidthKernel withGet(Set<Get> get) {
        Objects.requireNonNull(get, "get");
        if (get.isEmpty()) {
            throw new IllegalArgumentException("get: expected NNGP, NTK or both but was empty");
        }
        return new InfiniteWidthKernel(activation, depth, sigmaW2, sigmaB2, Collections.unmodifiableSet(EnumSet.copyOf(get)),
                everyLayer, progress, maxTileRows);
    }

    /** {@link #withGet(Set)} for the given kernels. */
    public InfiniteWidthKernel withGet(Get first, Get... rest) {
        return withGet(EnumSet.of(first, rest));
    }

    /** A copy returning the kernels of every layer l = 1 ... L+1 (true) or of the output only (false). */
    public InfiniteWidthKernel withEveryLayer(boolean everyLayer) {
        return new InfiniteWidthKernel(activation, depth, sigmaW2, sigmaB2, get, everyLayer, progress, maxTileRows);
    }

    /** A copy reporting progress (in cells of the plan, see {@link Progress}) to {@code progress}; null: none. */
    public InfiniteWidthKernel withProgress(Progress progress) {
        return new InfiniteWidthKernel(activation, depth, sigmaW2, sigmaB2, get, everyLayer, progress, maxTileRows);
    }

    /** A copy whose tiles have at most {@code rows} (>= 1) rows of the output. */
    public InfiniteWidthKernel withMaxTileRows(long rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows: expected >= 1 but was " + rows);
        }
        return new InfiniteWidthKernel(activation, depth, sigmaW2, sigmaB2, get, everyLayer, progress, rows);
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

    /** The kernels computed. */
    public Set<Get> get() {
        return get;
    }

    DualActivation dual() {
        return dual;
    }

    /** The shape of each kernel between N and N2 points: (N, N2). */
    public long[] shape(long n, long n2) {
        if (n < 0 || n2 < 0) {
            throw new IllegalArgumentException("n, n2: expected >= 0 but were " + n + ", " + n2);
        }
        return new long[] {n, n2};
    }

    private boolean ntk() {
        return get.contains(Get.NTK);
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
     * The requested kernels between the rows of {@code x} (N, D) and {@code x2} (N2, D): tensors of shape
     * (N, N2) and x's dtype.
     *
     * @param x2 the second inputs, x's dtype; {@code null} for x itself (computed on and below the diagonal and
     *           mirrored: exactly symmetric)
     * @throws IllegalArgumentException if an input is not a finite F32/F64 matrix, or their widths or
     *                                  dtypes differ
     * @throws ArithmeticException      if the output kernel overflowed (huge inputs or variances; see
     *                                  {@link Finite#checkTile})
     */
    public Result compute(Backend backend, Tensor x, Tensor x2) {
        checkInputs(x, x2);
        long n = x.dim(0);
        long n2 = x2 == null ? n : x2.dim(0);
        Result out = allocate(x.dtype(), n, n2);
        run(backend, x, x2, new Outputs(out.nngp(), out.ntk()));
        return out;
    }

    /**
     * Computes the one requested kernel of the output layer ({@link #withGet} NNGP or NTK alone, not every
     * layer) into {@code sink} of shape (N, N2) and x's dtype, tile by tile: a tensor or a memory-mapped
     * {@code .npy} ({@link TensorSink}, written as {@link #compute} writes its result, bit for bit), or a
     * chunked store (square tiles of the engine's grid; K(X, X) on and below the diagonal, mirrored).
     *
     * @throws IllegalArgumentException if the inputs are bad (as {@link #compute}), both kernels or every
     *                                  layer were requested, or the sink has another shape or dtype
     */
    public void computeInto(Backend backend, Tensor x, Tensor x2, TileSink sink) {
        Objects.requireNonNull(sink, "sink");
        checkInputs(x, x2);
        if (get.size() != 1 || everyLayer) {
            throw new IllegalArgumentException("get: computeInto writes one kernel of the output layer; expected "
                    + "withGet(NNGP) or withGet(NTK) without every layer but was " + get
                    + (everyLayer ? " of every layer" : ""));
        }
        long[] shape = shape(x.dim(0), x2 == null ? x.dim(0) : x2.dim(0));
        if (!Shapes.same(shape, sink.shape()) || sink.dtype() != x.dtype()) {
            throw new IllegalArgumentException("sink: expected shape " + Shapes.format(shape) + " of " + x.dtype()
                    + " but was " + Shapes.format(sink.shape()) + " of " + sink.dtype());
        }
        boolean wantNtk = ntk();
        if (sink instanceof TensorSink t) {
            List<Tensor> kernel = new ArrayList<>();
            kernel.add(t.tensor());
            List<Tensor> none = new ArrayList<>();
            none.add(null);
            run(backend, x, x2, wantNtk ? new Outputs(none, kernel) : new Outputs(kernel, none));
            return;
        }
        grid(backend, x, x2, sink, wantNtk);
    }

    private void checkInputs(Tensor x, Tensor x2) {
        Gram.check("x", x, -1, null);
        if (x2 != null && x2 != x) {
            Gram.check("x2", x2, x.dim(1), x.dtype());
        }
    }

    /**
     * Where a run writes each kernel by result slot; a null entry is computed (the NTK needs the NNGP) but not
     * downloaded.
     */
    private record Outputs(List<Tensor> nngp, List<Tensor> ntk) {
    }

    /**
     * The points of one call: x (N, D) and y (N2, D), {@code same} when y is x (K(X, X)), and the Gram scale
     * {@code c0 = S / D} of {@code Sigma_1 = c0 x.y + B}.
     */
    private record Points(Tensor x, Tensor y, boolean same, long n, long n2, long d, double c0) {
    }

    /** The points of x and x2 (null: x), or null when there is nothing to compute (N = 0 or N2 = 0). */
    private Points points(Tensor x, Tensor x2) {
        boolean same = x2 == null || x2 == x;
        Tensor y = same ? x : x2;
        long d = x.dim(1);
        if (x.dim(0) == 0 || y.dim(0) == 0) {
            return null;
        }
        return new Points(x, y, same, x.dim(0), y.dim(0), d, d == 0 ? 0 : sigmaW2 / d);
    }

    private void run(Backend backend, Tensor x0, Tensor x2, Outputs out) {
        Points p = points(x0, x2);
        if (p == null) {
            return;
        }
        Tensor x = p.x();
        Tensor y = p.y();
        boolean same = p.same();
        long n = p.n();
        long n2 = p.n2();
        long d = p.d();
        double c0 = p.c0();
        long perRow = x.dtype().byteSize() * (n2 * (ntk() ? 2 : 1) + d) + 8L * depth;
        TileEngine tiler = TileEngine.of(backend, perRow).withMinTileBytes(TileEngine.EFFICIENT_TILE_BYTES)
                .withMaxTileRows(maxTileRows).withProgress(progress == null ? null
                        : (done, total) -> progress.onProgress(done * n2, total * n2));
        try (DeviceMatrix yd = backend.upload(y)) {
            // the norms of the second points from their upload; for K(X, X) X is not uploaded again
            double[][] qy = variances(Gram.squaredNorms(backend, yd), c0);
            double[][] qx = same ? qy : variances(Gram.squaredNorms(backend, x), c0);
            double[] columns = new double[depth * (int) n2];
            for (int l = 0; l < depth; l++) {
                System.arraycopy(qy[l], 0, columns, l * (int) n2, (int) n2);
            }
            Job job = new Job(backend, yd, columns, n2, c0, qx, out);
            if (same) {
                tiler.run(n, (scope, from, to) -> symmetricRows(job, from, to, scope));
            } else {
                try (DeviceMatrix q2 = depth == 0 ? null : backend.upload(Tensor.of(columns, depth, n2))) {
                    tiler.run(n, (scope, from, to) -> {
                        DeviceMatrix rows = scope.track(backend.upload(x.slice(from, to)));
                        tile(job, rows, from, yd, q2, scratch(x.dtype(), to - from, n2, scope),
                                (m, dst) -> {
                                    Tensor rowsOut = dst.slice(from, to);
                                    backend.download(m, rowsOut);
                                    Finite.checkTile(rowsOut, from, 0);
                                });
                    });
                }
            }
        }
    }

    /**
     * The kernel into a general sink through the engine's grid of square tiles: each tile uploads its row and
     * column points, computes the block and hands it to the sink (K(X, X): on and below the diagonal, the
     * engine mirrors).
     */
    private void grid(Backend backend, Tensor x0, Tensor x2, TileSink sink, boolean wantNtk) {
        Points p = points(x0, x2);
        if (p == null) {
            return;
        }
        Tensor x = p.x();
        Tensor y = p.y();
        double[][] qx = variances(Gram.squaredNorms(backend, x), p.c0());
        double[][] qy = p.same() ? qx : variances(Gram.squaredNorms(backend, y), p.c0());
        long es = x.dtype().byteSize();
        TileEngine engine = TileEngine.of(backend, es * 2 * p.d() + 16L * depth).withBytesPerCell(es * (wantNtk ? 2 : 1))
                .withMinTileBytes(TileEngine.EFFICIENT_TILE_BYTES).withMaxTileRows(maxTileRows).withProgress(progress);
        engine.runGrid(p.n(), p.n2(), p.same(), List.of(sink), new TileEngine.GridTask<DeviceMatrix>() {
            @Override
            public DeviceMatrix rowBlock(TileScope scope, long i0, long i1) {
                return scope.track(backend.upload(x.slice(i0, i1)));
            }

            @Override
            public List<Tensor> tile(DeviceMatrix rows, TileScope scope, TilePlan.Tile t) {
                long cols = t.j1() - t.j0();
                DeviceMatrix yd = p.same() && t.onDiagonal() ? rows : scope.track(backend.upload(y.slice(t.j0(), t.j1())));
                double[] columns = new double[depth * (int) cols];
                for (int l = 0; l < depth; l++) {
                    System.arraycopy(qy[l], (int) t.j0(), columns, l * (int) cols, (int) cols);
                }
                DeviceMatrix q2 = depth == 0 ? null : scope.track(backend.upload(Tensor.of(columns, depth, cols)));
                Tensor block = Tensor.allocateUninitialised(x.dtype(), t.i1() - t.i0(), cols);
                List<Tensor> kernel = new ArrayList<>();
                kernel.add(block);
                List<Tensor> none = new ArrayList<>();
                none.add(null);
                Outputs out = wantNtk ? new Outputs(none, kernel) : new Outputs(kernel, none);
                Job job = new Job(backend, yd, columns, cols, p.c0(), qx, out);
                InfiniteWidthKernel.this.tile(job, rows, t.i0(), yd, q2, scratch(x.dtype(), t.i1() - t.i0(), cols, scope),
                        (m, dst) -> backend.download(m, dst));
                return List.of(block);
            }
        });
    }

    /**
     * What every tile of one {@link #compute} call shares: the second points {@code yd} on the backend,
     * their variances by layer ({@code columns}, (L, points) row-major), the Gram scale c0, the first
     * points' variances by layer and the result.
     */
    private record Job(Backend backend, DeviceMatrix yd, double[] columns, long points, double c0, double[][] qx,
            Outputs out) {
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
        DeviceMatrix[] buffers = scratch(dtype, blocks.rows(), job.points(), scope);
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
    private DeviceMatrix[] scratch(DType dtype, long rows, long cols, TileScope scope) {
        DeviceMatrix k = scope.allocateUninitialised(dtype, rows, cols);
        return ntk() ? new DeviceMatrix[] {k, scope.allocateUninitialised(dtype, rows, cols)}
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
        Outputs out = job.out();
        int m = Math.toIntExact(rows.rows());
        DeviceMatrix k = kernels[0];
        backend.fill(k, sigmaB2);
        if (rows.cols() > 0) {
            backend.gemm(false, true, c0, rows, yd, 1, k);
        }
        DeviceMatrix theta = null;
        if (ntk()) {
            theta = kernels[1];
            backend.copy(k, theta);
        }
        if (everyLayer) {
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
    private static void deliver(DeviceMatrix k, DeviceMatrix theta, Outputs out, int slot,
            BiConsumer<DeviceMatrix, Tensor> sink) {
        if (out.nngp().get(slot) != null) {
            sink.accept(k, out.nngp().get(slot));
        }
        if (theta != null && out.ntk().get(slot) != null) {
            sink.accept(theta, out.ntk().get(slot));
        }
    }

    /**
     * The kernels of each row of {@code x} (N, D) with itself, {@code K(x_i, x_i)}: tensors of shape (N,)
     * and x's dtype, with O(N D) work (the squared norms on the backend).
     *
     * @throws IllegalArgumentException if x is not a finite F32/F64 matrix
     */
    public Result diagonal(Backend backend, Tensor x) {
        Gram.check("x", x, -1, null);
        double c0 = x.dim(1) == 0 ? 0 : sigmaW2 / x.dim(1);
        double[][] q = variances(Gram.squaredNorms(backend, x), c0);
        int n = q[0].length;
        Result out = allocate(x.dtype(), n);
        for (int i = 0; i < n; i++) {
            double theta = q[0][i];
            for (int l = 0; ; l++) {
                if (everyLayer || l == depth) {
                    int slot = everyLayer ? l : 0;
                    out.nngp().get(slot).setFlat(i, q[l][i]);
                    if (ntk()) {
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

    private Result allocate(DType dtype, long... shape) {
        int layers = everyLayer ? depth + 1 : 1;
        List<Tensor> nngp = new ArrayList<>();
        List<Tensor> ntk = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            nngp.add(Tensor.allocateUninitialised(dtype, shape));
            if (ntk()) {
                ntk.add(Tensor.allocateUninitialised(dtype, shape));
            }
        }
        return new Result(nngp, ntk);
    }
}
