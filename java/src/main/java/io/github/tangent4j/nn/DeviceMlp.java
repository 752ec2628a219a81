package io.github.tangent4j.nn;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.TileEngine;
import io.github.tangent4j.backend.internal.StreamedRows;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.tensor.TensorSink;
import io.github.tangent4j.tensor.TileSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A network's parameters resident on a backend, and the batched forward pass there. Weights are kept
 * as stored (the parameterization's factor enters the GEMM as alpha); biases are kept pre-scaled.
 * Closing it frees the device copies.
 */
public final class DeviceMlp implements AutoCloseable {
    private final Backend backend;
    private final Mlp mlp;
    private final List<DeviceMatrix> weights = new ArrayList<>();
    private final List<DeviceMatrix> biases = new ArrayList<>();

    private DeviceMlp(Backend backend, Mlp mlp) {
        this.backend = backend;
        this.mlp = mlp;
    }

    /** Uploads {@code mlp}'s parameters to {@code backend}. */
    public static DeviceMlp upload(Backend backend, Mlp mlp) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(mlp, "mlp");
        DeviceMlp d = new DeviceMlp(backend, mlp);
        try {
            double biasScale = mlp.parameterization().biasScale();
            for (Layer layer : mlp.layers()) {
                d.weights.add(backend.upload(layer.weight()));
                if (layer.hasBias()) {
                    Tensor b = layer.bias().copy();
                    for (long i = 0; i < b.size(); i++) {
                        b.setFlat(i, biasScale * b.getFlat(i));
                    }
                    d.biases.add(backend.upload(b));
                } else {
                    d.biases.add(null);
                }
            }
            return d;
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    /** The network. */
    public Mlp mlp() {
        return mlp;
    }

    /** The backend holding the parameters. */
    public Backend backend() {
        return backend;
    }

    /** The (out x in) weight of layer {@code l} as stored (unscaled). */
    public DeviceMatrix weight(int l) {
        return weights.get(l);
    }

    /**
     * Pre-activations of layer {@code l}: {@code z = a_l h W_l^T + c b_l} for inputs {@code h}
     * (N x in), written to a new (N x out) matrix the caller closes.
     */
    public DeviceMatrix preactivation(int l, DeviceMatrix h) {
        DeviceMatrix z = backend.allocateUninitialised(mlp.dtype(), h.rows(), mlp.layers().get(l).out());
        try {
            preactivation(l, h, z);
            return z;
        } catch (RuntimeException e) {
            z.close();
            throw e;
        }
    }

    /**
     * Pre-activations of layer {@code l} for inputs {@code h} (N x in) written into {@code z} (N x out),
     * which must not overlap h: lets a caller reuse one buffer across tiles.
     */
    public void preactivation(int l, DeviceMatrix h, DeviceMatrix z) {
        layer(l, h, Activation.IDENTITY, z);
    }

    /**
     * Layer {@code l} with an activation: {@code out = phi(a_l h W_l^T + c b_l)} for inputs {@code h}
     * (N x in) into {@code out} (N x out), not overlapping h, in one {@link Backend#linear} call (fused
     * where the backend can).
     */
    public void layer(int l, DeviceMatrix h, Activation phi, DeviceMatrix out) {
        backend.linear(weightScale(l), h, weights.get(l), biases.get(l), phi, out);
    }

    /**
     * {@link #layer}, also returning the activation pattern of the layer's pre-activations as
     * {@link Backend#signBits} packs it (fused with the layer where the backend can).
     */
    public Tensor layerWithSigns(int l, DeviceMatrix h, Activation phi, DeviceMatrix out) {
        return backend.linearWithSigns(weightScale(l), h, weights.get(l), biases.get(l), phi, out);
    }

    private double weightScale(int l) {
        return mlp.parameterization().weightScale(mlp.layers().get(l).in());
    }

    /**
     * The outputs f(x) for a batch {@code x} of shape (N, D) on this backend: a new (N, O) matrix the
     * caller closes.
     *
     * @throws IllegalArgumentException if x is not N x D or not of the network's dtype
     */
    public DeviceMatrix forward(DeviceMatrix x) {
        checkInput(x);
        DeviceMatrix h = x;
        for (int l = 0; l < mlp.layers().size(); l++) {
            DeviceMatrix next = null;
            try {
                next = backend.allocateUninitialised(mlp.dtype(), h.rows(), mlp.layers().get(l).out());
                layer(l, h, l < mlp.depth() ? mlp.activation() : Activation.IDENTITY, next);
            } catch (RuntimeException e) {
                if (next != null) {
                    next.close();
                }
                throw e;
            } finally {
                if (h != x) {
                    h.close();
                }
            }
            h = next;
        }
        return h;
    }

    private void checkInput(DeviceMatrix x) {
        mlp.checkInput("x", x);
    }

    /**
     * Checks host inputs for this network: rank 2, (N, D), the network's dtype, finite.
     *
     * @throws IllegalArgumentException naming the shape, dtype or the first non-finite element
     */
    public void checkInputs(Tensor x) {
        mlp.checkInput("x", x);
    }

    /**
     * f(x) for host inputs of shape (N, D), computed in row tiles sized to the backend's free memory
     * (smaller tiles after an out-of-memory), into a new host tensor of shape (N, O). Where the backend's
     * transfers overlap computation, each tile's upload runs in pieces beside the forward pass of the
     * previous piece ({@link StreamedRows}).
     */
    public Tensor forward(Tensor x) {
        checkInputs(x);
        Tensor y = Tensor.allocate(mlp.dtype(), x.dim(0), mlp.outputDim());
        forwardTiles(x, TensorSink.of(y));
        return y;
    }

    /**
     * f(x) for host inputs of shape (N, D) written into {@code y} of shape (N, O) and the network's dtype
     * (for example a memory-mapped output file, see {@link io.github.tangent4j.tensor.MappedNpy}), tile by
     * tile as {@link #forward(Tensor)}.
     *
     * @throws IllegalArgumentException if x or y does not fit, naming the shapes
     */
    public void forward(Tensor x, Tensor y) {
        checkInputs(x);
        long n = x.dim(0);
        Objects.requireNonNull(y, "y");
        if (y.rank() != 2 || y.dim(0) != n || y.dim(1) != mlp.outputDim() || y.dtype() != mlp.dtype()) {
            throw new IllegalArgumentException("y: expected shape (" + n + ", " + mlp.outputDim() + ") of "
                    + mlp.dtype() + " but was " + Shapes.format(y.shape()) + " of " + y.dtype());
        }
        forwardTiles(x, TensorSink.of(y));
    }

    /**
     * f(x) for host inputs of shape (N, D) into {@code sink} of shape (N, O) and the network's dtype, through
     * the engine's row plan ({@link TileEngine#runInto}): a tensor or a memory-mapped {@code .npy}
     * ({@link TensorSink}) is written in place as {@link #forward(Tensor, Tensor)} writes it; other sinks (a
     * chunked store) get a block of rows per tile.
     *
     * @throws IllegalArgumentException if x or the sink does not fit, naming the shapes
     */
    public void forwardInto(Tensor x, TileSink sink) {
        checkInputs(x);
        Objects.requireNonNull(sink, "sink");
        long[] shape = {x.dim(0), mlp.outputDim()};
        if (!Shapes.same(shape, sink.shape()) || sink.dtype() != mlp.dtype()) {
            throw new IllegalArgumentException("sink: expected shape " + Shapes.format(shape) + " of " + mlp.dtype()
                    + " but was " + Shapes.format(sink.shape()) + " of " + sink.dtype());
        }
        forwardTiles(x, sink);
    }

    /** The tiles of {@link #forwardInto} on checked arguments (the input scan runs once). */
    private void forwardTiles(Tensor x, TileSink sink) {
        long n = x.dim(0);
        if (n == 0) {
            return;
        }
        long widest = 0;
        for (long w : mlp.widths()) {
            widest = Math.max(widest, w);
        }
        // Per row: the input, the widest layer's input and output alive together, and the output.
        long bytesPerRow = mlp.dtype().byteSize() * (mlp.inputDim() + 2 * widest + mlp.outputDim());
        TileEngine.of(backend, bytesPerRow).runInto(sink, (scope, from, to, block) -> StreamedRows.run(backend, x,
                from, to, this::forward, (yd, a, b) -> backend.download(yd, block.slice(a - from, b - from))));
    }

    @Override
    public void close() {
        for (DeviceMatrix m : weights) {
            m.close();
        }
        for (DeviceMatrix m : biases) {
            if (m != null) {
                m.close();
            }
        }
        weights.clear();
        biases.clear();
    }
}
