package io.github.tangent4j.kernels;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.Progress;
import io.github.tangent4j.backend.TileEngine;
import io.github.tangent4j.backend.TilePlan;
import io.github.tangent4j.backend.TileScope;
import io.github.tangent4j.nn.DeviceMlp;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Finite;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.tensor.TensorSink;
import io.github.tangent4j.tensor.TileSink;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
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
 * out-of-memory), on the {@link TileEngine}. When X2 is X (or null), the tiles on and below the diagonal
 * are computed and mirrored, so the result is exactly symmetric. {@link #computeInto} writes into any
 * {@link TileSink} of the right shape, e.g. a memory-mapped {@code .npy}, so outputs larger than memory
 * stream to disk. Progress is reported in cells; an interrupted thread stops at the next tile with
 * {@link CancellationException}.
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
    private final Progress listener;
    private final Kind kind;

    private EmpiricalNtk(Mlp mlp, Method method, boolean perLayer, long maxBlockRows,
            Progress listener, Kind kind) {
        this.mlp = mlp;
        this.method = method;
        this.perLayer = perLayer;
        this.maxBlockRows = maxBlockRows;
        this.listener = listener;
        this.kind = kind;
    }

    /**
     * The empirical NTK of {@code mlp}: the FULL kernel, structured method, summed over layers, tiles sized to
     * memory.
     */
    public static EmpiricalNtk of(Mlp mlp) {
        return new EmpiricalNtk(Objects.requireNonNull(mlp, "mlp"), Method.STRUCTURED, false, Long.MAX_VALUE, null,
                Kind.FULL);
    }

    /**
     * A copy computing {@code kind} (FULL by default) in {@link #shape(long, long)},
     * {@link #compute(Backend, Tensor, Tensor)} and {@link #computeInto(Backend, Tensor, Tensor, TileSink)}.
     */
    public EmpiricalNtk withKind(Kind kind) {
        return new EmpiricalNtk(mlp, method, perLayer, maxBlockRows, listener, Objects.requireNonNull(kind, "kind"));
    }

    /** The shape of this kernel's result ({@link #withKind}) for N and N2 examples. */
    public long[] shape(long n, long n2) {
        return shape(kind, n, n2);
    }

    /** This kernel ({@link #withKind}, FULL by default) between x and x2 (null: x, computed symmetrically). */
    public Tensor compute(Backend backend, Tensor x, Tensor x2) {
        return compute(backend, kind, x, x2);
    }

    /** {@link #computeInto(Backend, Kind, Tensor, Tensor, TileSink)} of this kernel ({@link #withKind}). */
    public void computeInto(Backend backend, Tensor x, Tensor x2, TileSink sink) {
        computeInto(backend, kind, x, x2, sink);
    }

    /** A copy using {@code method}. */
    public EmpiricalNtk withMethod(Method method) {
        return new EmpiricalNtk(mlp, Objects.requireNonNull(method, "method"), perLayer, maxBlockRows, listener, kind);
    }

    /** A copy that returns one kernel per layer (a leading axis of length L+1) instead of their sum. */
    public EmpiricalNtk withPerLayer(boolean perLayer) {
        return new EmpiricalNtk(mlp, method, perLayer, maxBlockRows, listener, kind);
    }

    /** A copy whose tiles have at most {@code rows} (>= 1) examples per side (rows and columns). */
    public EmpiricalNtk withMaxTileRows(long rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows: expected >= 1 but was " + rows);
        }
        return new EmpiricalNtk(mlp, method, perLayer, rows, listener, kind);
    }

    /** A copy reporting progress (tiles done of all tiles) to {@code listener}; null: none. */
    public EmpiricalNtk withProgress(Progress listener) {
        return new EmpiricalNtk(mlp, method, perLayer, maxBlockRows, listener, kind);
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
     * tile by tile; {@code out} may be a memory-mapped file. With {@link #withPerLayer} each layer's kernel
     * goes to its slice of the leading axis.
     *
     * @throws IllegalArgumentException if x or x2 does not fit the network or out has another shape or dtype
     * @throws ArithmeticException      if the kernel overflowed (see {@link Finite#checkResult})
     */
    public void computeInto(Backend backend, Kind kind, Tensor x, Tensor x2, Tensor out) {
        Objects.requireNonNull(out, "out");
        List<TileSink> sinks = new ArrayList<>();
        if (perLayer) {
            checkOut(kind, x, x2, out.shape(), out.dtype());
            for (int l = 0; l < out.dim(0); l++) {
                sinks.add(TensorSink.of(layer(out, l)));
            }
        } else {
            sinks.add(TensorSink.of(out));
        }
        run(backend, kind, x, x2, out.shape(), out.dtype(), sinks);
    }

    /**
     * Computes the kernel of {@code kind} into {@code sink} (of {@link #shape} and the network's dtype) tile by
     * tile: a tensor, a memory-mapped {@code .npy} ({@link TensorSink}) or a chunked store. Tiles the sink
     * already holds are skipped.
     *
     * @throws IllegalArgumentException if x or x2 does not fit the network, the sink has another shape or
     *                                  dtype, or the kernel is per layer (its leading axis is not tiled:
     *                                  use {@link #computeInto(Backend, Kind, Tensor, Tensor, Tensor)})
     */
    public void computeInto(Backend backend, Kind kind, Tensor x, Tensor x2, TileSink sink) {
        Objects.requireNonNull(sink, "sink");
        if (perLayer) {
            throw new IllegalArgumentException("sink: a per-layer kernel goes into a tensor (its leading axis is "
                    + "the layer, not a tiled one)");
        }
        run(backend, kind, x, x2, sink.shape(), sink.dtype(), List.of(sink));
    }

    private void checkOut(Kind kind, Tensor x, Tensor x2, long[] outShape, DType outType) {
        checkInputs(x, x2, kind);
        long[] shape = shape(kind, x.dim(0), x2 == null ? x.dim(0) : x2.dim(0));
        if (!Shapes.same(shape, outShape) || outType != mlp.dtype()) {
            throw new IllegalArgumentException("out: expected shape " + Shapes.format(shape) + " of " + mlp.dtype()
                    + " but was " + Shapes.format(outShape) + " of " + outType);
        }
    }

    private void run(Backend backend, Kind kind, Tensor x, Tensor x2, long[] outShape, DType outType,
            List<TileSink> sinks) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(kind, "kind");
        checkOut(kind, x, x2, outShape, outType);
        boolean symmetric = x2 == null || x2 == x;
        Tensor right = symmetric ? x : x2;
        if (x.dim(0) == 0 || (kind != Kind.DIAGONAL && right.dim(0) == 0)) {
            return;
        }
        if (method == Method.MATERIALISED && perLayer) {
            throw new IllegalArgumentException("perLayer: the materialised method computes the total kernel only");
        }
        NtkMethod m = method == Method.STRUCTURED ? new StructuredNtk(mlp, backend) : new MaterialisedNtk(mlp, backend);
        try (DeviceMlp net = DeviceMlp.upload(backend, mlp)) {
            TileEngine engine = engine(backend, m, kind, Math.max(x.dim(0), right.dim(0)));
            if (kind == Kind.DIAGONAL) {
                engine.run(x.dim(0), (scope, from, to) -> {
                    NtkMethod.Features a = scope.track(m.features(net, x, from, to));
                    writeDiagonal(m.tile(a, a, kind, perLayer), from, to, sinks);
                });
                return;
            }
            engine.runGrid(x.dim(0), right.dim(0), symmetric, sinks, new TileEngine.GridTask<NtkMethod.Features>() {
                @Override
                public NtkMethod.Features rowBlock(TileScope scope, long i0, long i1) {
                    return scope.track(m.features(net, x, i0, i1));
                }

                @Override
                public List<Tensor> tile(NtkMethod.Features a, TileScope scope, TilePlan.Tile t) {
                    NtkMethod.Features b = symmetric && t.onDiagonal() ? a
                            : scope.track(m.features(net, right, t.j0(), t.j1()));
                    return blocks(m.tile(a, b, kind, perLayer), kind, t.i1() - t.i0(), t.j1() - t.j0());
                }
            });
        }
    }

    /**
     * The engine for this kernel's tiles: device bytes per example of a block (the features of both sides)
     * and per (i, j) pair (the tile(s), one term, and the repeated Gram of a full tile), at most half the free
     * memory, blocks of at least {@link #MIN_BLOCK_ROWS} examples.
     */
    private TileEngine engine(Backend backend, NtkMethod m, Kind kind, long n) {
        long es = mlp.dtype().byteSize();
        long o = mlp.outputDim();
        int layers = perLayer ? mlp.layers().size() : 1;
        long perExample = 2 * m.featureBytesPerExample();
        double perCell = switch (kind) {
            case FULL -> es * (o * o * (layers + 1) + o + 1);
            case TRACE -> es * (layers + 2);
            case DIAGONAL -> 0;
        };
        if (kind == Kind.DIAGONAL) {
            perExample += es * o * o * (layers + 1);
        }
        return TileEngine.of(backend, Math.max(1, perExample)).withBytesPerCell(perCell)
                .withMemoryFraction(MEMORY_FRACTION).withMinTileRows(Math.min(n, MIN_BLOCK_ROWS))
                .withMaxTileRows(maxBlockRows).withProgress(listener);
    }

    /**
     * Downloads a tile's matrices (closing them) as host blocks of the output's layout: TRACE (|I|, |J|) as it
     * is; FULL from rows (i, o) and columns (j, o') to (|I|, |J|, O, O).
     */
    private List<Tensor> blocks(List<DeviceMatrix> tiles, Kind kind, long rows, long cols) {
        try {
            List<Tensor> out = new ArrayList<>(tiles.size());
            for (DeviceMatrix t : tiles) {
                Tensor host = t.backend().download(t);
                out.add(kind == Kind.TRACE ? host : regroup(host, rows, cols, mlp.outputDim()));
            }
            return out;
        } finally {
            tiles.forEach(DeviceMatrix::close);
        }
    }

    /** Writes a DIAGONAL tile ((|I| * O, O) per matrix) at rows [from, to) of each sink; closes the matrices. */
    private void writeDiagonal(List<DeviceMatrix> tiles, long from, long to, List<TileSink> sinks) {
        try {
            long o = mlp.outputDim();
            for (int l = 0; l < tiles.size(); l++) {
                DeviceMatrix t = tiles.get(l);
                TileEngine.writeTile(sinks.get(l), from, 0, t.backend().download(t).reshape(to - from, o, o));
            }
        } finally {
            tiles.forEach(DeviceMatrix::close);
        }
    }

    /** A (|I| * O, |J| * O) tile with rows (i, a) and columns (j, b) as the block (|I|, |J|, O, O) [i, j, a, b]. */
    private static Tensor regroup(Tensor tile, long rows, long cols, long o) {
        Tensor block = Tensor.allocateUninitialised(tile.dtype(), rows, cols, o, o);
        long es = tile.dtype().byteSize();
        MemorySegment src = tile.segment();
        MemorySegment dst = block.segment();
        for (long i = 0; i < rows; i++) {
            for (long a = 0; a < o; a++) {
                long srcRow = (i * o + a) * cols * o;
                for (long j = 0; j < cols; j++) {
                    MemorySegment.copy(src, (srcRow + j * o) * es, dst, (((i * cols + j) * o + a) * o) * es, o * es);
                }
            }
        }
        return block;
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
