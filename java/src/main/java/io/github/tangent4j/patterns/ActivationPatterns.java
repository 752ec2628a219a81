package io.github.tangent4j.patterns;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.Progress;
import io.github.tangent4j.backend.TileEngine;
import io.github.tangent4j.backend.TileScope;
import io.github.tangent4j.backend.internal.PrefetchingUploads;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.DeviceMlp;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.tensor.TileSink;
import java.util.Objects;

/**
 * The activation patterns of a piecewise-linear network (relu, leaky_relu or abs) on a batch of
 * inputs: for input i and hidden unit j (hidden layers in order, H units in all) the bit
 * {@code z_j(x_i) > 0}. A pre-activation of exactly 0 is inactive. Two inputs with equal patterns lie
 * in the same linear region of the network (Montúfar et al. 2014; Hanin and Rolnick 2019).
 *
 * <p>Computed from the forward GEMMs {@code Z_l = H_{l-1} W_l^T + b_l} and the backend's
 * {@link Backend#signBits}, in tiles of rows (no per-example work): the last layer is never computed,
 * and the last hidden layer's activation is skipped.
 */
public final class ActivationPatterns {
    /**
     * The default cap on rows per tile: the GEMMs of taller tiles are no faster, and shorter ones lose
     * efficiency on the Java backend (measured with PatternsBench: 2048 rows were slower than 16384).
     */
    public static final long DEFAULT_MAX_TILE_ROWS = 16384;

    private final PackedPatterns all;
    private final long[] widths;
    private final long[] offsets;

    private ActivationPatterns(PackedPatterns all, long[] widths) {
        this.all = all;
        this.widths = widths;
        this.offsets = new long[widths.length + 1];
        for (int l = 0; l < widths.length; l++) {
            offsets[l + 1] = offsets[l] + widths[l];
        }
    }

    /** Writes the first-layer pre-activations of rows {@code [from, to)} into {@code z}. */
    @FunctionalInterface
    interface FirstLayer {
        void preactivation(TileScope scope, long from, long to, DeviceMatrix z);
    }

    /**
     * The pattern computation of {@code mlp} (relu, leaky_relu, abs or identity), the one family shape:
     * {@code ActivationPatterns.of(mlp).withProgress(p).compute(backend, x, null)}.
     *
     * @throws IllegalArgumentException if the activation is not piecewise linear (naming it)
     */
    public static Computation of(Mlp mlp) {
        return new Computation(mlp, null, DEFAULT_MAX_TILE_ROWS);
    }

    /**
     * How to compute the patterns of one network: immutable, the {@code with...} methods return modified
     * copies. The output is (N, H) booleans (H = the hidden widths summed), one row per input.
     *
     * @param mlp         the network (piecewise-linear activation)
     * @param progress    told the progress in rows (cells of the row plan), or {@code null}
     * @param maxTileRows the most rows of a tile, >= 1
     */
    public record Computation(Mlp mlp, Progress progress, long maxTileRows) {
        /** Rows of booleans per tile written to a sink by {@link #computeInto}. */
        private static final long SINK_ROWS = 1 << 16;

        /**
         * Checks the network and the tile size.
         *
         * @throws IllegalArgumentException if the activation is not piecewise linear, or maxTileRows &lt; 1
         */
        public Computation {
            Objects.requireNonNull(mlp, "mlp");
            PiecewiseLinear.require(mlp);
            if (maxTileRows < 1) {
                throw new IllegalArgumentException("rows: expected >= 1 but was " + maxTileRows);
            }
        }

        /** A copy reporting progress in rows (cells of the row plan) to {@code progress}; null: none. */
        public Computation withProgress(Progress progress) {
            return new Computation(mlp, progress, maxTileRows);
        }

        /** A copy whose tiles have at most {@code rows} (>= 1) rows (default {@link #DEFAULT_MAX_TILE_ROWS}). */
        public Computation withMaxTileRows(long rows) {
            return new Computation(mlp, progress, rows);
        }

        /** The shape of the patterns of N inputs: (N, H); {@code n2} must be 0 (one input set). */
        public long[] shape(long n, long n2) {
            if (n < 0 || n2 != 0) {
                throw new IllegalArgumentException("n, n2: expected n >= 0 and n2 = 0 (patterns take one input set)"
                        + " but were " + n + ", " + n2);
            }
            return new long[] {n, mlp.hiddenUnits()};
        }

        /**
         * The patterns on inputs {@code x} of shape (N, D) and the network's dtype.
         *
         * @param x2 must be null: patterns take one input set
         * @throws IllegalArgumentException if x's shape, dtype or values do not fit, or x2 is given
         */
        public ActivationPatterns compute(Backend backend, Tensor x, Tensor x2) {
            Objects.requireNonNull(backend, "backend");
            if (x2 != null) {
                throw new IllegalArgumentException("x2: activation patterns take one input set, but x2 was given");
            }
            try (DeviceMlp d = DeviceMlp.upload(backend, mlp)) {
                return ActivationPatterns.compute(d, x, progress, maxTileRows);
            }
        }

        /**
         * The patterns as (N, H) {@link io.github.tangent4j.tensor.DType#BOOL}s into {@code sink} (a tensor, a
         * memory-mapped {@code .npy}, a chunked store), in blocks of rows: the packed patterns (H / 8 bytes a
         * row) are held, the booleans are not.
         *
         * @throws IllegalArgumentException as {@link #compute}, or if the sink is not (N, H) of BOOL
         */
        public void computeInto(Backend backend, Tensor x, Tensor x2, TileSink sink) {
            Objects.requireNonNull(sink, "sink");
            long[] shape = shape(x == null ? 0 : x.dim(0), 0);
            if (!Shapes.same(shape, sink.shape()) || sink.dtype() != io.github.tangent4j.tensor.DType.BOOL) {
                throw new IllegalArgumentException("sink: expected shape " + Shapes.format(shape) + " of BOOL but was "
                        + Shapes.format(sink.shape()) + " of " + sink.dtype());
            }
            PackedPatterns p = compute(backend, x, x2).packed();
            for (long from = 0; from < p.rows(); from += SINK_ROWS) {
                long to = Math.min(p.rows(), from + SINK_ROWS);
                sink.writeTile(from, 0, p.toBooleans(from, to));
            }
        }
    }

    /**
     * The patterns of an uploaded network on inputs {@code x} (N, D), in tiles of at most
     * {@code maxTileRows} rows (also bounded by the backend's free memory). Where the backend's transfers
     * overlap computation, the next tile's rows are uploaded while the device computes the current tile
     * ({@link PrefetchingUploads}).
     *
     * @throws IllegalArgumentException as {@link Computation#compute}, or if {@code maxTileRows < 1}
     */
    public static ActivationPatterns compute(DeviceMlp network, Tensor x, Progress listener,
            long maxTileRows) {
        Objects.requireNonNull(network, "network");
        PiecewiseLinear.require(network.mlp());
        network.checkInputs(x);
        long n = x.dim(0);
        try (PrefetchingUploads uploads = new PrefetchingUploads(network.backend(), x)) {
            return run(network, n, x.dim(1), listener, maxTileRows, (scope, from, to, z) -> {
                network.preactivation(0, scope.track(uploads.take(from, to)), z);
                uploads.prefetch(to, Math.min(n, to + (to - from))); // beside this tile's layers
            });
        }
    }

    /**
     * The patterns of an uploaded network on inputs already on its backend, {@code x} (N, D) of the
     * network's dtype (no upload; values are not checked: a NaN pre-activation counts as inactive).
     *
     * @throws IllegalArgumentException if the activation is not piecewise linear or x's shape or dtype
     *                                  does not fit
     */
    public static ActivationPatterns compute(DeviceMlp network, DeviceMatrix x, Progress listener,
            long maxTileRows) {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(x, "x");
        Mlp mlp = network.mlp();
        PiecewiseLinear.require(mlp);
        mlp.checkInput("x", x);
        return run(network, x.rows(), 0, listener, maxTileRows,
                (scope, from, to, z) -> network.preactivation(0, x.rows(from, to), z));
    }

    /**
     * The tile loop shared by the pattern computations: the first layer's pre-activations come from
     * {@code first} ({@code inputCols} columns of input per row), the remaining hidden layers from the
     * network's forward GEMMs.
     */
    static ActivationPatterns run(DeviceMlp network, long n, long inputCols, Progress listener,
            long maxTileRows, FirstLayer first) {
        Mlp mlp = network.mlp();
        Backend backend = network.backend();
        long[] widths = new long[mlp.depth()];
        long hidden = 0;
        for (int l = 0; l < widths.length; l++) {
            widths[l] = mlp.layers().get(l).out();
            hidden += widths[l];
        }
        ActivationPatterns result = new ActivationPatterns(PackedPatterns.zeros(n, hidden), widths);
        if (widths.length == 0 || n == 0) {
            return result;
        }
        // One pre-activation buffer per hidden layer, sized to the first tile and reused by every tile
        // (no allocation, zero-fill or page faults per tile); tiles are never taller than the first.
        long tileRows = TileEngine.of(backend, mlp.dtype().byteSize() * (inputCols + hidden))
                .withMaxTileRows(maxTileRows).initialTileRows(n);
        DeviceMatrix[] z = new DeviceMatrix[widths.length];
        try {
            for (int l = 0; l < widths.length; l++) {
                z[l] = backend.allocateUninitialised(mlp.dtype(), tileRows, widths[l]);
            }
            TileEngine.of(backend, mlp.dtype().byteSize() * Math.max(1, inputCols)).withMaxTileRows(tileRows)
                    .withProgress(listener).run(n, (scope, from, to) -> {
                        DeviceMatrix zl = z[0].rows(0, to - from);
                        first.preactivation(scope, from, to, zl);
                        Tensor bits = backend.signBits(zl);
                        for (int l = 0; ; l++) {
                            result.all.orBits(bits, widths[l], from, result.offsets[l]);
                            if (l + 1 == widths.length) {
                                break;
                            }
                            if (l == 0) {
                                backend.activate(mlp.activation(), zl, zl);
                            }
                            // the next layer with its signs in one backend call (fused where the backend
                            // can); the last hidden layer's activation is never used
                            DeviceMatrix next = z[l + 1].rows(0, to - from);
                            bits = network.layerWithSigns(l + 1, zl,
                                    l + 2 == widths.length ? Activation.IDENTITY : mlp.activation(), next);
                            zl = next;
                        }
                    });
        } finally {
            for (DeviceMatrix m : z) {
                if (m != null) {
                    m.close();
                }
            }
        }
        return result;
    }

    /** All hidden units' bits: N patterns of H = n_1 + ... + n_L bits. */
    public PackedPatterns packed() {
        return all;
    }

    /** Number of inputs N. */
    public long rows() {
        return all.rows();
    }

    /** Number of hidden layers L. */
    public int layers() {
        return widths.length;
    }

    /** Width n_l of hidden layer {@code l} (0-based). */
    public long width(int l) {
        return widths[Objects.checkIndex(l, widths.length)];
    }

    /** Index of hidden layer {@code l}'s first unit in the whole pattern. */
    public long offset(int l) {
        return offsets[Objects.checkIndex(l, widths.length)];
    }

    /** Hidden layer {@code l}'s bits alone: N patterns of n_l bits (a copy). */
    public PackedPatterns layer(int l) {
        return all.columns(offset(l), offset(l) + widths[l]);
    }

    /** The patterns as booleans, shape (N, H), hidden layers in order. */
    public Tensor toBooleans() {
        return all.toBooleans();
    }
}
