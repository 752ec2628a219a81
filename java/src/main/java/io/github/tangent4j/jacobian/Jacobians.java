package io.github.tangent4j.jacobian;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.Progress;
import io.github.tangent4j.backend.TileEngine;
import io.github.tangent4j.nn.DeviceMlp;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.ParameterLayout;
import io.github.tangent4j.tensor.Finite;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.tensor.TensorSink;
import io.github.tangent4j.tensor.TileSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Batched Jacobians of a network {@code f: R^D -> R^O} on a backend: the input Jacobian (N, O, D), the
 * parameter Jacobian (N, O, P), JVPs and VJPs in input and parameter space, and the squared Frobenius
 * norms of the input Jacobian.
 *
 * <p>Every method runs one sweep of GEMMs over the layers for a whole tile of examples — never a loop
 * over examples (DESIGN.md). The input Jacobian runs in reverse mode (N*O rows per GEMM) when
 * {@code O <= D} and in forward mode (N*D rows) otherwise, unless a {@link Mode} is forced; both give the
 * same numbers up to rounding. Inputs are processed in row tiles sized to the backend's free memory
 * ({@link TileEngine}), reporting progress after each tile and stopping at the next tile when the thread
 * is interrupted.
 *
 * <p>Derivatives at a kink follow PyTorch: {@code relu'(0) = 0}, {@code abs'(0) = 0},
 * {@code leaky_relu'(0) = slope}. Parameter derivatives are taken with respect to the stored
 * parameters (see {@link io.github.tangent4j.nn.Parameterization}). Instances are immutable.
 *
 * <p>The row families also take the one family shape: {@link #withKind} picks the input Jacobian, its
 * norms or the parameter Jacobian, {@link #shape} gives its shape and {@link #compute} /
 * {@link #computeInto} compute it, the latter into any {@link TileSink} (e.g. a memory-mapped {@code .npy},
 * so a Jacobian larger than memory streams to disk) through the engine's row plan.
 *
 * <pre>{@code
 * try (Backend backend = Backends.auto()) {
 *     Tensor j = Jacobians.of(mlp).input(backend, x);                 // (N, O, D)
 *     ParameterJacobian jp = Jacobians.of(mlp).parameters(backend, x); // (N, O, P)
 *     Jacobians params = Jacobians.of(mlp).withKind(Jacobians.Kind.PARAMETERS);
 *     try (MappedNpy out = Npy.create(file, mlp.dtype(), params.shape(x.dim(0), 0))) {
 *         params.computeInto(backend, x, null, TensorSink.of(out.tensor()));      // (N, O, P) on disk
 *     }
 * }
 * }</pre>
 */
public final class Jacobians {
    /** How the input Jacobian is swept. */
    public enum Mode {
        /** Reverse mode when {@code O <= D}, forward mode otherwise. */
        AUTO,
        /** Backpropagation: N*O rows per GEMM. */
        REVERSE,
        /** Tangent propagation: N*D rows per GEMM. */
        FORWARD
    }

    /** Which row family {@link #shape}, {@link #compute} and {@link #computeInto} give. */
    public enum Kind {
        /** The input Jacobian {@code d f / d x}, (N, O, D) ({@link #input}). */
        INPUT,
        /** The per-example squared Frobenius norms of the input Jacobian, (N,) ({@link #inputNorms}). */
        INPUT_NORMS,
        /** The parameter Jacobian {@code d f / d theta}, (N, O, P), state-dict order ({@link #parameters}). */
        PARAMETERS
    }

    /** The working set a sweep's tile may take at least, whatever the backend reports free (see {@link #tiles}). */
    static final long MIN_SWEEP_BYTES = TileEngine.EFFICIENT_TILE_BYTES;

    private final Mlp mlp;
    private final Mode mode;
    private final Progress listener;
    private final long maxTileRows;
    private final Kind kind;

    private Jacobians(Mlp mlp, Mode mode, Progress listener, long maxTileRows, Kind kind) {
        this.mlp = mlp;
        this.mode = mode;
        this.listener = listener;
        this.maxTileRows = maxTileRows;
        this.kind = kind;
    }

    /** Jacobians of {@code mlp}, automatic mode, no progress listener, {@link Kind#INPUT} for {@link #compute}. */
    public static Jacobians of(Mlp mlp) {
        return new Jacobians(Objects.requireNonNull(mlp, "mlp"), Mode.AUTO, null, Long.MAX_VALUE, Kind.INPUT);
    }

    /** A copy sweeping the input Jacobian in {@code mode}. */
    public Jacobians withMode(Mode mode) {
        return new Jacobians(mlp, Objects.requireNonNull(mode, "mode"), listener, maxTileRows, kind);
    }

    /** A copy reporting progress (examples done of N) to {@code listener} after each tile; null: none. */
    public Jacobians withProgress(Progress listener) {
        return new Jacobians(mlp, mode, listener, maxTileRows, kind);
    }

    /**
     * A copy whose {@link #shape}, {@link #compute} and {@link #computeInto} give {@code kind}
     * ({@link Kind#INPUT} by default).
     */
    public Jacobians withKind(Kind kind) {
        return new Jacobians(mlp, mode, listener, maxTileRows, Objects.requireNonNull(kind, "kind"));
    }

    /** A copy whose tiles hold at most {@code rows} (>= 1) examples (the default: as many as fit). */
    public Jacobians withMaxTileRows(long rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows: expected >= 1 but was " + rows);
        }
        return new Jacobians(mlp, mode, listener, rows, kind);
    }

    /** The network. */
    public Mlp mlp() {
        return mlp;
    }

    /** The mode the input Jacobian is computed in: {@link Mode#AUTO} resolved by comparing O and D. */
    public Mode resolvedMode() {
        if (mode != Mode.AUTO) {
            return mode;
        }
        return mlp.outputDim() <= mlp.inputDim() ? Mode.REVERSE : Mode.FORWARD;
    }

    /**
     * The shape of this {@link #withKind kind} for N examples: (N, O, D), (N,) or (N, O, P). {@code n2} must be
     * 0: the row families take one input set.
     *
     * @throws IllegalArgumentException if {@code n < 0} or {@code n2 != 0}
     */
    public long[] shape(long n, long n2) {
        if (n < 0 || n2 != 0) {
            throw new IllegalArgumentException("n, n2: expected n >= 0 and n2 = 0 (Jacobians take one input set)"
                    + " but were " + n + ", " + n2);
        }
        return switch (kind) {
            case INPUT -> new long[] {n, mlp.outputDim(), mlp.inputDim()};
            case INPUT_NORMS -> new long[] {n};
            case PARAMETERS -> new long[] {n, mlp.outputDim(), mlp.parameterCount()};
        };
    }

    /**
     * This {@link #withKind kind} on inputs {@code x} (N, D) of the network's dtype, in a new tensor of
     * {@link #shape}: what {@link #input}, {@link #inputNorms}{@code .perExample()} or
     * {@link #parameters}{@code .tensor()} return.
     *
     * @param x2 must be null: the row families take one input set
     * @throws IllegalArgumentException if x does not fit (shape, dtype, finiteness) or x2 is given
     * @throws ArithmeticException      if the (input or parameter) Jacobian overflowed
     */
    public Tensor compute(Backend backend, Tensor x, Tensor x2) {
        requireNoX2(x2);
        return switch (kind) {
            case INPUT -> input(backend, x);
            case INPUT_NORMS -> inputNorms(backend, x).perExample();
            case PARAMETERS -> parameters(backend, x).tensor();
        };
    }

    /**
     * This {@link #withKind kind} on inputs {@code x} (N, D) into {@code sink} (of {@link #shape} and the
     * network's dtype) through the engine's row plan ({@link TileEngine#runInto}): a tensor or a memory-mapped
     * {@code .npy} ({@link TensorSink}) is written in place, bit for bit as {@link #compute} writes its result;
     * other sinks get a block of rows per tile. Each tile's block is checked for overflow before it is written.
     *
     * @param x2 must be null: the row families take one input set
     * @throws IllegalArgumentException if x does not fit, x2 is given, or the sink has another shape or dtype
     * @throws ArithmeticException      if a tile of the (input or parameter) Jacobian overflowed (naming the
     *                                  element); tiles before it are already written
     */
    public void computeInto(Backend backend, Tensor x, Tensor x2, TileSink sink) {
        requireNoX2(x2);
        Objects.requireNonNull(sink, "sink");
        long[] shape = shape(checkX(x), 0);
        if (!Shapes.same(shape, sink.shape()) || sink.dtype() != mlp.dtype()) {
            throw new IllegalArgumentException("sink: expected shape " + Shapes.format(shape) + " of " + mlp.dtype()
                    + " but was " + Shapes.format(sink.shape()) + " of " + sink.dtype());
        }
        switch (kind) {
            case INPUT -> inputInto(backend, x, sink);
            case INPUT_NORMS -> normsInto(backend, x, sink);
            case PARAMETERS -> parametersInto(backend, x, sink, "the parameter Jacobian");
        }
    }

    private static void requireNoX2(Tensor x2) {
        if (x2 != null) {
            throw new IllegalArgumentException("x2: Jacobians take one input set, but x2 was given");
        }
    }

    /**
     * The input Jacobian {@code d f / d x}, shape (N, O, D), for inputs {@code x} (N, D) of the network's
     * dtype.
     *
     * @throws IllegalArgumentException if x's shape or dtype does not fit or x holds a non-finite value
     * @throws ArithmeticException      if the result overflowed (see {@link Finite#checkResult})
     */
    public Tensor input(Backend backend, Tensor x) {
        long n = checkX(x);
        Tensor out = Tensor.allocateUninitialised(mlp.dtype(), n, mlp.outputDim(), mlp.inputDim());
        inputInto(backend, x, TensorSink.of(out));
        return out;
    }

    /** The input Jacobian into {@code sink} (each tile checked for overflow by the engine, {@link TileEngine#runInto}). */
    private void inputInto(Backend backend, Tensor x, TileSink sink) {
        boolean reverse = resolvedMode() == Mode.REVERSE;
        long rowBytes = inputJacobianRowBytes(reverse);
        tilesInto(backend, x, sink, rowBytes, sweepRows(rowBytes), (t, from, dst) -> {
            if (reverse) {
                BackpropSignals.inputJacobianInto(t, dst);
                return;
            }
            try (DeviceMatrix j = inputJacobianTile(t, false)) {
                transposeBlocks(backend.download(j), dst);
            }
        });
    }

    /**
     * The per-example squared Frobenius norms {@code ||d f / d x (x_i)||_F^2} (N,) and their mean,
     * computed tile by tile: no more than one tile of the Jacobian exists at a time.
     *
     * @throws IllegalArgumentException as {@link #input}
     */
    public JacobianNorms inputNorms(Backend backend, Tensor x) {
        long n = checkX(x);
        Tensor norms = Tensor.allocate(mlp.dtype(), n);
        normsInto(backend, x, TensorSink.of(norms));
        double sum = 0;
        for (long i = 0; i < n; i++) {
            sum += norms.getFlat(i);
        }
        return new JacobianNorms(norms, n == 0 ? Double.NaN : sum / n);
    }

    /** The input Jacobian's per-example squared norms (N,) into {@code sink}, one tile of the Jacobian at a time. */
    private void normsInto(Backend backend, Tensor x, TileSink sink) {
        boolean reverse = resolvedMode() == Mode.REVERSE;
        long r = reverse ? mlp.outputDim() : mlp.inputDim();
        long rowBytes = inputJacobianRowBytes(reverse);
        tilesInto(backend, x, sink, rowBytes, sweepRows(rowBytes), (t, from, dst) -> {
            long rows = dst.dim(0);
            try (DeviceMatrix j = inputJacobianTile(t, reverse);
                 DeviceMatrix perRow = backend.allocateUninitialised(mlp.dtype(), rows * r, 1);
                 DeviceMatrix perExample = backend.allocateUninitialised(mlp.dtype(), rows, 1)) {
                backend.hadamard(j, j, j);
                backend.sum(j, 1, perRow);
                backend.sum(perRow.reshape(rows, r), 1, perExample);
                backend.download(perExample, dst);
            }
        });
    }

    /**
     * The parameter Jacobian {@code d f / d theta}, shape (N, O, P), columns in state-dict order. Each
     * layer's block is the outer product {@code a_l Delta_l (x) H_{l-1}} of the backprop signals and the
     * layer inputs (the bias block {@code c Delta_l}), written once into the result on the host from those
     * factors ({@link OuterProductRows}).
     *
     * @throws IllegalArgumentException if x does not fit (as {@link #input}), or if N*O*P elements cannot be
     *                                  addressed
     * @throws ArithmeticException      if the result overflowed (see {@link Finite#checkResult})
     */
    public ParameterJacobian parameters(Backend backend, Tensor x) {
        long n = checkX(x);
        Shapes.byteSize(mlp.dtype(), n, mlp.outputDim(), mlp.parameterCount());
        Tensor out = Tensor.allocateUninitialised(mlp.dtype(), n, mlp.outputDim(), mlp.parameterCount());
        parametersInto(backend, x, TensorSink.of(out), "the parameter Jacobian");
        return new ParameterJacobian(mlp, out);
    }

    /**
     * The parameter Jacobian into {@code sink}: per tile the forward trace and the backprop signals on the
     * backend, then the block written from them on the host. A tile is scanned for overflow (named as
     * {@code check}) only when its factors do not rule it out ({@link OuterProductRows#boundedBelowOverflow}):
     * a scan of the block would cost as much again as writing it.
     */
    private void parametersInto(Backend backend, Tensor x, TileSink sink, String check) {
        long o = mlp.outputDim();
        long units = mlp.hiddenUnits() + o;
        long inputs = mlp.layers().stream().mapToLong(Layer::in).sum();
        // the trace and the signals on the backend, and one host copy of the signals and the layer inputs
        long rowBytes = traceRowBytes() + mlp.dtype().byteSize() * (2 * o * units + inputs);
        tilesInto(backend, x, sink, rowBytes, sweepRows(rowBytes), true, (t, from, dst) -> {
            OuterProductRows rows;
            try (BackpropSignals s = BackpropSignals.ofOutputs(t)) {
                rows = OuterProductRows.of(s);
            }
            rows.writeInto(dst);
            if (!rows.boundedBelowOverflow()) {
                Finite.checkResult(check + " of examples [" + from + ", " + (from + dst.dim(0)) + ")", dst);
            }
        });
    }

    /**
     * The JVP {@code (d f / d x)(x_i) t_i}, shape (N, O), for input tangents {@code t} (N, D) — one
     * forward-mode sweep with one row per example.
     *
     * @throws IllegalArgumentException if x or t does not fit (shape, dtype, finiteness)
     */
    public Tensor jvp(Backend backend, Tensor x, Tensor tangent) {
        long n = checkX(x);
        checkMatrix("tangent", tangent, n, mlp.inputDim());
        return perExample(backend, x, tangent, mlp.outputDim(), TangentSweep::jvp);
    }

    /**
     * The JVP {@code (d f / d theta)(x_i) v}, shape (N, O), for one parameter tangent {@code v} of shape
     * (P,) in state-dict order.
     *
     * @throws IllegalArgumentException if x or v does not fit (shape, dtype, finiteness)
     */
    public Tensor jvpParameters(Backend backend, Tensor x, Tensor tangent) {
        long n = checkX(x);
        checkVector("tangent", tangent, mlp.parameterCount());
        Tensor out = Tensor.allocate(mlp.dtype(), n, mlp.outputDim());
        ParameterLayout layout = ParameterLayout.of(mlp);
        List<DeviceMatrix> v = new ArrayList<>();
        List<DeviceMatrix> vb = new ArrayList<>();
        try {
            double c = mlp.parameterization().biasScale();
            for (int l = 0; l < mlp.layers().size(); l++) {
                Layer layer = mlp.layers().get(l);
                long w = layout.weightOffset(l);
                v.add(backend.upload(tangent.slice(w, w + layer.out() * layer.in()).reshape(layer.out(), layer.in())));
                if (layer.hasBias()) {
                    Tensor b = tangent.slice(layout.biasOffset(l), layout.biasOffset(l) + layer.out()).copy();
                    for (long i = 0; i < b.size(); i++) {
                        b.setFlat(i, c * b.getFlat(i));
                    }
                    vb.add(backend.upload(b));
                } else {
                    vb.add(null);
                }
            }
            tiles(backend, x, oneRowSweepBytes(), sweepRows(oneRowSweepBytes()), (t, from, to) -> {
                try (DeviceMatrix y = TangentSweep.jvpParameters(t, v, vb)) {
                    backend.download(y, out.slice(from, to));
                }
            });
            return out;
        } finally {
            v.forEach(DeviceMatrix::close);
            vb.stream().filter(Objects::nonNull).forEach(DeviceMatrix::close);
        }
    }

    /**
     * The VJP {@code c_i^T (d f / d x)(x_i)}, shape (N, D), for cotangents {@code c} (N, O) — one reverse
     * sweep with one row per example.
     *
     * @throws IllegalArgumentException if x or c does not fit (shape, dtype, finiteness)
     */
    public Tensor vjp(Backend backend, Tensor x, Tensor cotangent) {
        long n = checkX(x);
        checkMatrix("cotangent", cotangent, n, mlp.outputDim());
        return perExample(backend, x, cotangent, mlp.inputDim(), BackpropSignals::inputGradient);
    }

    /** A sweep with one row per example: a vector per example in, one row of {@code cols} per example out. */
    @FunctionalInterface
    private interface OneRowSweep {
        DeviceMatrix apply(ForwardTrace trace, DeviceMatrix vectors);
    }

    /** The (N, cols) results of {@code sweep} for the rows of {@code vectors}, tile by tile. */
    private Tensor perExample(Backend backend, Tensor x, Tensor vectors, long cols, OneRowSweep sweep) {
        Tensor out = Tensor.allocate(mlp.dtype(), x.dim(0), cols);
        tiles(backend, x, oneRowSweepBytes(), sweepRows(oneRowSweepBytes()), (t, from, to) -> {
            try (DeviceMatrix v = backend.upload(vectors.slice(from, to));
                 DeviceMatrix y = sweep.apply(t, v)) {
                backend.download(y, out.slice(from, to));
            }
        });
        return out;
    }

    /**
     * The VJP {@code sum_i c_i^T (d f / d theta)(x_i)}, shape (P,) in state-dict order, for cotangents
     * {@code c} (N, O): the gradient of {@code sum_i c_i . f(x_i)} with respect to the parameters
     * (backpropagation; the weight gradient of layer l is {@code a_l Delta_l^T H_{l-1}}). Accumulated in
     * double across tiles.
     *
     * @throws IllegalArgumentException if x or c does not fit (shape, dtype, finiteness)
     */
    public Tensor vjpParameters(Backend backend, Tensor x, Tensor cotangent) {
        long n = checkX(x);
        checkMatrix("cotangent", cotangent, n, mlp.outputDim());
        ParameterLayout layout = ParameterLayout.of(mlp);
        double[] total = new double[Math.toIntExact(layout.size())];
        long rowBytes = traceRowBytes() + mlp.dtype().byteSize() * (mlp.hiddenUnits() + 2 * maxWidth());
        tiles(backend, x, rowBytes, sweepRows(rowBytes), (t, from, to) -> {
            double[] tile = new double[total.length];
            try (DeviceMatrix cd = backend.upload(cotangent.slice(from, to));
                 BackpropSignals s = BackpropSignals.ofCotangent(t, cd)) {
                for (int l = 0; l < mlp.layers().size(); l++) {
                    Layer layer = mlp.layers().get(l);
                    DeviceMatrix delta = s.signal(l);
                    try (DeviceMatrix g = backend.allocateUninitialised(mlp.dtype(), layer.out(), layer.in())) {
                        backend.gemm(true, false, mlp.parameterization().weightScale(layer.in()), delta, t.input(l),
                                0, g);
                        add(tile, layout.weightOffset(l), backend.download(g), 1);
                    }
                    if (layer.hasBias()) {
                        try (DeviceMatrix g = backend.allocateUninitialised(mlp.dtype(), 1, layer.out())) {
                            backend.sum(delta, 0, g);
                            add(tile, layout.biasOffset(l), backend.download(g), mlp.parameterization().biasScale());
                        }
                    }
                }
            }
            // Only a finished tile counts: an out-of-memory retry must not add a tile twice.
            for (int i = 0; i < total.length; i++) {
                total[i] += tile[i];
            }
        });
        Tensor out = Tensor.allocate(mlp.dtype(), total.length);
        for (int i = 0; i < total.length; i++) {
            out.setFlat(i, total[i]);
        }
        return out;
    }

    private static void add(double[] acc, long offset, Tensor t, double scale) {
        for (long i = 0; i < t.size(); i++) {
            acc[(int) (offset + i)] += scale * t.getFlat(i);
        }
    }

    // ------------------------------------------------------------------ tiles

    /** The work of one tile: examples [from, to) with their forward trace. */
    @FunctionalInterface
    private interface TileBody {
        void run(ForwardTrace trace, long from, long to);
    }

    /**
     * Runs {@code body} over row tiles of x, each with its forward trace. Tiles hold at least
     * {@code minRows} examples when there are that many (the GEMMs of short tiles run below the speed of
     * long ones; the Java backend reports a small working set on purpose) and at most what fits otherwise;
     * a tile that runs out of memory is halved.
     */
    private void tiles(Backend backend, Tensor x, long bytesPerRow, long minRows, TileBody body) {
        Objects.requireNonNull(backend, "backend");
        try (DeviceMlp net = DeviceMlp.upload(backend, mlp)) {
            engine(backend, bytesPerRow, minRows).run(x.dim(0), (scope, from, to) -> {
                DeviceMatrix xd = scope.track(backend.upload(x.slice(from, to)));
                try (ForwardTrace t = ForwardTrace.of(net, xd)) {
                    body.run(t, from, to);
                }
            });
        }
    }

    /** The work of one tile into its block of the output: the tile's forward trace and the block's rows. */
    @FunctionalInterface
    private interface BlockBody {
        void run(ForwardTrace trace, long from, Tensor block);
    }

    /**
     * Runs {@code body} over row tiles of x into {@code sink} ({@link TileEngine#runInto}), tiles sized as
     * {@link #tiles} sizes them; the engine checks each block for overflow before a sink gets it.
     */
    private void tilesInto(Backend backend, Tensor x, TileSink sink, long bytesPerRow, long minRows, BlockBody body) {
        tilesInto(backend, x, sink, bytesPerRow, minRows, false, body);
    }

    /**
     * {@link #tilesInto} where {@code bodyChecks} says that {@code body} checks its blocks for overflow itself
     * ({@link TileEngine.SelfCheckingRowBlockTask}), so the engine does not scan them again.
     */
    private void tilesInto(Backend backend, Tensor x, TileSink sink, long bytesPerRow, long minRows, boolean bodyChecks,
            BlockBody body) {
        Objects.requireNonNull(backend, "backend");
        try (DeviceMlp net = DeviceMlp.upload(backend, mlp)) {
            TileEngine.RowBlockTask task = (scope, from, to, block) -> {
                try (ForwardTrace t = ForwardTrace.of(net, scope.track(backend.upload(x.slice(from, to))))) {
                    body.run(t, from, block);
                }
            };
            engine(backend, bytesPerRow, minRows).runInto(sink, bodyChecks
                    ? (TileEngine.SelfCheckingRowBlockTask) task::run : task);
        }
    }

    private TileEngine engine(Backend backend, long bytesPerRow, long minRows) {
        return TileEngine.of(backend, bytesPerRow).withProgress(listener).withMaxTileRows(maxTileRows)
                .withMinTileRows(minRows);
    }

    /** One tile's input Jacobian: (rows*O x D) in reverse mode, (rows*D x O) transposed blocks in forward mode. */
    private static DeviceMatrix inputJacobianTile(ForwardTrace t, boolean reverse) {
        return reverse ? BackpropSignals.inputGradient(t, null) : TangentSweep.inputJacobianTransposed(t);
    }

    /** (rows*D, O) transposed blocks into (rows, O, D). */
    private static void transposeBlocks(Tensor src, Tensor dst) {
        long rows = dst.dim(0);
        long o = dst.dim(1);
        long d = dst.dim(2);
        for (long i = 0; i < rows; i++) {
            for (long a = 0; a < o; a++) {
                for (long b = 0; b < d; b++) {
                    dst.setFlat((i * o + a) * d + b, src.getFlat((i * d + b) * o + a));
                }
            }
        }
    }

    private long traceRowBytes() {
        return mlp.dtype().byteSize() * (mlp.inputDim() + 2 * mlp.hiddenUnits() + 2 * mlp.outputDim());
    }

    /** The floor on a sweep tile's examples: {@link #MIN_SWEEP_BYTES} of working set. */
    private static long sweepRows(long bytesPerRow) {
        return Math.max(1, MIN_SWEEP_BYTES / bytesPerRow);
    }

    /** Device bytes per example of a sweep with one row per example (JVPs, VJPs). */
    private long oneRowSweepBytes() {
        return traceRowBytes() + 2 * maxWidth() * mlp.dtype().byteSize();
    }

    private long inputJacobianRowBytes(boolean reverse) {
        long r = reverse ? mlp.outputDim() : mlp.inputDim();
        return traceRowBytes() + mlp.dtype().byteSize() * r * (2 * maxWidth() + 1);
    }

    private long maxWidth() {
        long w = 0;
        for (long v : mlp.widths()) {
            w = Math.max(w, v);
        }
        return w;
    }

    // ------------------------------------------------------------------ checks

    private long checkX(Tensor x) {
        return mlp.checkInput("x", x);
    }

    private void checkMatrix(String name, Tensor t, long rows, long cols) {
        Objects.requireNonNull(t, name);
        if (t.rank() != 2 || t.dim(0) != rows || t.dim(1) != cols || t.dtype() != mlp.dtype()) {
            throw new IllegalArgumentException(name + ": expected shape (" + rows + ", " + cols + ") of "
                    + mlp.dtype() + " but was " + Shapes.format(t.shape()) + " of " + t.dtype());
        }
        Finite.check(name, t);
    }

    private void checkVector(String name, Tensor t, long size) {
        Objects.requireNonNull(t, name);
        if (t.rank() != 1 || t.dim(0) != size || t.dtype() != mlp.dtype()) {
            throw new IllegalArgumentException(name + ": expected shape (" + size + ",) of " + mlp.dtype()
                    + " (one entry per parameter) but was " + Shapes.format(t.shape()) + " of " + t.dtype());
        }
        Finite.check(name, t);
    }
}
