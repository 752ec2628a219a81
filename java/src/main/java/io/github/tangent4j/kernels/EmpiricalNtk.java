package io.github.tangent4j.kernels;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.DeviceOutOfMemoryException;
import io.github.tangent4j.backend.RowTiler;
import io.github.tangent4j.nn.DeviceMlp;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;

/**
 * The empirical neural tangent kernel of a finite network,
 * {@code Theta(x, x')_{oo'} = sum_p (d f_o(x) / d theta_p) (d f_o'(x') / d theta_p)} (Jacot, Gabriel and
 * Hongler, "Neural Tangent Kernel", NeurIPS 2018), between inputs X (N, D) and X2 (N2, D):
 * <ul>
 *   <li>{@link Kind#FULL}: (N, N2, O, O);</li>
 *   <li>{@link Kind#TRACE}: the trace over outputs, (N, N2);</li>
 *   <li>{@link Kind#DIAGONAL}: {@code Theta(x_i, x_i)}, (N, O, O) (X2 is not used).</li>
 * </ul>
 * With {@link #withPerLayer} each shape gets a leading axis of length L+1 (one kernel per layer, whose
 * parameters' share of the sum it is). Derivatives are taken with respect to the stored parameters
 * (see {@link io.github.tangent4j.nn.Parameterization}).
 *
 * <p><b>Method.</b> By default {@link Method#STRUCTURED}: per layer, Gram products of the backprop
 * signals of the Jacobian family's sweep and of the layer inputs, combined by Hadamard products — never
 * the N x P Jacobian. {@link Method#MATERIALISED} forms J and contracts, for tests and comparisons.
 *
 * <p><b>Tiles.</b> The output is a grid of tiles (row block of X, column block of X2), each a pure
 * function of (model, row block, column block), sized to the backend's free memory (halved after an
 * out-of-memory). When X2 is X (or null), each off-diagonal tile is computed once and mirrored, so the
 * result is exactly symmetric. {@link #computeInto} writes into any tensor of the right shape, e.g. a
 * memory-mapped {@code .npy}, so outputs larger than memory stream to disk. Progress is reported in
 * tiles; an interrupted thread stops at the next tile with {@link CancellationException}.
 */
public final class EmpiricalNtk {
    /** Which part of the kernel. */
    public enum Kind {
        /** All output pairs, (N, N2, O, O). */
        FULL,
        /** The trace over outputs, (N, N2). */
        TRACE,
        /** The N diagonal blocks Theta(x_i, x_i), (N, O, O). */
        DIAGONAL
    }

    /** How tiles are computed. */
    public enum Method {
        /** Per-layer Gram products of backprop signals and layer inputs (the default). */
        STRUCTURED,
        /** Materialise the parameter Jacobian and contract (reference; O(N O P) memory per block). */
        MATERIALISED
    }

    /** Share of the backend's free memory a tile plan may use. */
    private static final double MEMORY_FRACTION = 0.5;

    /**
     * The smallest block the plan starts with, whatever the backend reports free: every tile recomputes
     * the features of its column block, so small blocks cost more in recomputed sweeps than they save
     * (the Java backend reports a small working set on purpose). A block that does not fit is halved.
     */
    static final long MIN_BLOCK_ROWS = 1024;

    private final Mlp mlp;
    private final Method method;
    private final boolean perLayer;
    private final long maxBlockRows;
    private final RowTiler.ProgressListener listener;

    private EmpiricalNtk(Mlp mlp, Method method, boolean perLayer, long maxBlockRows,
            RowTiler.ProgressListener listener) {
        this.mlp = mlp;
        this.method = method;
        this.perLayer = perLayer;
        this.maxBlockRows = maxBlockRows;
        this.listener = listener;
    }

    /** The empirical NTK of {@code mlp}: structured method, summed over layers, tiles sized to memory. */
    public static EmpiricalNtk of(Mlp mlp) {
        return new EmpiricalNtk(Objects.requireNonNull(mlp, "mlp"), Method.STRUCTURED, false, Long.MAX_VALUE, null);
    }

    /** A copy using {@code method}. */
    public EmpiricalNtk withMethod(Method method) {
        return new EmpiricalNtk(mlp, Objects.requireNonNull(method, "method"), perLayer, maxBlockRows, listener);
    }

    /** A copy that returns one kernel per layer (a leading axis of length L+1) instead of their sum. */
    public EmpiricalNtk withPerLayer(boolean perLayer) {
        return new EmpiricalNtk(mlp, method, perLayer, maxBlockRows, listener);
    }

    /** A copy whose tiles have at most {@code rows} (>= 1) examples per side. */
    public EmpiricalNtk withMaxBlockRows(long rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows: expected >= 1 but was " + rows);
        }
        return new EmpiricalNtk(mlp, method, perLayer, rows, listener);
    }

    /** A copy reporting progress (tiles done of all tiles) to {@code listener}; null: none. */
    public EmpiricalNtk withProgress(RowTiler.ProgressListener listener) {
        return new EmpiricalNtk(mlp, method, perLayer, maxBlockRows, listener);
    }

    /** The full kernel (N, N2, O, O) between x and x2 (null: x, computed symmetrically). */
    public Tensor full(Backend backend, Tensor x, Tensor x2) {
        return compute(backend, Kind.FULL, x, x2);
    }

    /** The trace over outputs (N, N2) between x and x2 (null: x, computed symmetrically). */
    public Tensor trace(Backend backend, Tensor x, Tensor x2) {
        return compute(backend, Kind.TRACE, x, x2);
    }

    /** The diagonal blocks Theta(x_i, x_i), (N, O, O). */
    public Tensor diagonal(Backend backend, Tensor x) {
        return compute(backend, Kind.DIAGONAL, x, null);
    }

    /** The shape of the result for N and N2 examples. */
    public long[] shape(Kind kind, long n, long n2) {
        long o = mlp.outputDim();
        long[] s = switch (kind) {
            case FULL -> new long[] {n, n2, o, o};
            case TRACE -> new long[] {n, n2};
            case DIAGONAL -> new long[] {n, o, o};
        };
        if (!perLayer) {
            return s;
        }
        long[] withLayers = new long[s.length + 1];
        withLayers[0] = mlp.layers().size();
        System.arraycopy(s, 0, withLayers, 1, s.length);
        return withLayers;
    }

    /** The kernel of {@code kind} in a new tensor of {@link #shape}. */
    public Tensor compute(Backend backend, Kind kind, Tensor x, Tensor x2) {
        checkInputs(x, x2, kind);
        long n2 = x2 == null ? x.dim(0) : x2.dim(0);
        long[] shape = shape(kind, x.dim(0), n2);
        Shapes.byteSize(mlp.dtype(), shape);
        Tensor out = Tensor.allocate(mlp.dtype(), shape);
        computeInto(backend, kind, x, x2, out);
        return out;
    }

    /**
     * Computes the kernel of {@code kind} into {@code out} (of {@link #shape} and the network's dtype),
     * tile by tile; {@code out} may be a memory-mapped file.
     *
     * @throws IllegalArgumentException if x or x2 does not fit the network or out has another shape or dtype
     */
    public void computeInto(Backend backend, Kind kind, Tensor x, Tensor x2, Tensor out) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(kind, "kind");
        checkInputs(x, x2, kind);
        boolean symmetric = x2 == null || x2 == x;
        Tensor right = symmetric ? x : x2;
        long[] shape = shape(kind, x.dim(0), right.dim(0));
        Objects.requireNonNull(out, "out");
        if (!Shapes.same(shape, out.shape()) || out.dtype() != mlp.dtype()) {
            throw new IllegalArgumentException("out: expected shape " + Shapes.format(shape) + " of " + mlp.dtype()
                    + " but was " + Shapes.format(out.shape()) + " of " + out.dtype());
        }
        if (x.dim(0) == 0 || (kind != Kind.DIAGONAL && right.dim(0) == 0)) {
            return;
        }
        NtkMethod m = method == Method.STRUCTURED ? new StructuredNtk(mlp, backend) : new MaterialisedNtk(mlp, backend);
        if (method == Method.MATERIALISED && perLayer) {
            throw new IllegalArgumentException("perLayer: the materialised method computes the total kernel only");
        }
        try (DeviceMlp net = DeviceMlp.upload(backend, mlp)) {
            long block = initialBlockRows(backend, m, kind, Math.max(x.dim(0), right.dim(0)));
            long start = 0;
            while (true) {
                try {
                    run(net, m, kind, x, symmetric ? null : right, out, block, start);
                    return;
                } catch (ResumeFrom r) {
                    if (block == 1) {
                        throw r.cause;
                    }
                    block = Math.max(1, block / 2);
                    start = r.rowBlockStart;
                }
            }
        }
    }

    /** Thrown internally when a tile runs out of memory: rows before {@code rowBlockStart} are complete. */
    private static final class ResumeFrom extends RuntimeException {
        final long rowBlockStart;
        final DeviceOutOfMemoryException cause;

        ResumeFrom(long rowBlockStart, DeviceOutOfMemoryException cause) {
            super(null, cause, false, false);
            this.rowBlockStart = rowBlockStart;
            this.cause = cause;
        }
    }

    private void run(DeviceMlp net, NtkMethod m, Kind kind, Tensor x, Tensor x2, Tensor out, long block,
            long start) {
        long n = x.dim(0);
        boolean symmetric = x2 == null;
        long n2 = symmetric ? n : x2.dim(0);
        long rowBlocks = (n - start + block - 1) / block;
        long colBlocks = kind == Kind.DIAGONAL ? 1 : (n2 + block - 1) / block;
        long total = kind == Kind.DIAGONAL ? rowBlocks
                : symmetric ? rowBlocks * (rowBlocks + 1) / 2 : rowBlocks * colBlocks;
        long done = 0;
        for (long i0 = start; i0 < n; i0 += block) {
            long i1 = Math.min(n, i0 + block);
            try (NtkMethod.Features a = m.features(net, x, i0, i1)) {
                if (kind == Kind.DIAGONAL) {
                    scatter(m.tile(a, a, kind, perLayer), kind, out, i0, i1, 0, 0, false);
                    done = progress(++done, total);
                    continue;
                }
                long jStart = symmetric ? i0 : 0;
                for (long j0 = jStart; j0 < n2; j0 += block) {
                    long j1 = Math.min(n2, j0 + block);
                    if (symmetric && j0 == i0) {
                        scatter(m.tile(a, a, kind, perLayer), kind, out, i0, i1, j0, j1, false);
                    } else {
                        try (NtkMethod.Features b = m.features(net, symmetric ? x : x2, j0, j1)) {
                            scatter(m.tile(a, b, kind, perLayer), kind, out, i0, i1, j0, j1, symmetric);
                        }
                    }
                    done = progress(++done, total);
                }
            } catch (DeviceOutOfMemoryException e) {
                throw new ResumeFrom(i0, e);
            }
        }
    }

    private long progress(long done, long total) {
        if (listener != null) {
            listener.onProgress(done, total);
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new CancellationException("interrupted after " + done + " of " + total + " tiles");
        }
        return done;
    }

    private long initialBlockRows(Backend backend, NtkMethod m, Kind kind, long n) {
        long es = mlp.dtype().byteSize();
        long o = mlp.outputDim();
        double f = 2.0 * m.featureBytesPerExample();
        int layers = perLayer ? mlp.layers().size() : 1;
        // device bytes per (i, j) pair of a tile: the tile(s), one term, and the repeated Gram of a full tile
        double p = switch (kind) {
            case FULL -> es * (o * o * (layers + 1) + o + 1);
            case TRACE -> es * (layers + 2);
            case DIAGONAL -> 0;
        };
        double budget = Math.max(0, backend.availableMemory() * MEMORY_FRACTION);
        double rows = p == 0 ? budget / (f + es * o * o * (layers + 1))
                : (-f + Math.sqrt(f * f + 4 * p * budget)) / (2 * p);
        long planned = Math.max(Math.min(n, MIN_BLOCK_ROWS), (long) Math.min(rows, Long.MAX_VALUE));
        return Math.max(1, Math.min(Math.min(n, maxBlockRows), planned));
    }

    /** Downloads a tile's matrices (closing them) and writes them into out; mirrored too when asked. */
    private void scatter(List<DeviceMatrix> tiles, Kind kind, Tensor out, long i0, long i1, long j0, long j1,
            boolean mirror) {
        try {
            for (int l = 0; l < tiles.size(); l++) {
                DeviceMatrix t = tiles.get(l);
                Tensor host = t.backend().download(t);
                Tensor dst = perLayer ? layer(out, l) : out;
                switch (kind) {
                    case TRACE -> TileLayout.trace(host, dst, i0, i1, j0, j1, mirror);
                    case FULL -> TileLayout.full(host, dst, i0, i1, j0, j1, mlp.outputDim(), mirror);
                    case DIAGONAL -> MemorySegment.copy(host.segment(), 0, dst.slice(i0, i1).segment(), 0,
                            host.byteSize());
                }
            }
        } finally {
            tiles.forEach(DeviceMatrix::close);
        }
    }

    /** The per-layer slice l of an output with a leading layer axis. */
    private static Tensor layer(Tensor out, int l) {
        long[] rest = java.util.Arrays.copyOfRange(out.shape(), 1, out.rank());
        return out.slice(l, l + 1).reshape(rest);
    }

    private void checkInputs(Tensor x, Tensor x2, Kind kind) {
        checkX("x", x);
        if (x2 != null && x2 != x) {
            if (kind == Kind.DIAGONAL) {
                throw new IllegalArgumentException("x2: the diagonal kernel takes one input set, but x2 was given");
            }
            checkX("x2", x2);
        }
    }

    private void checkX(String name, Tensor x) {
        mlp.checkInput(name, x);
    }
}
