package io.github.tangent4j.nn;

import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Finite;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A fully connected network {@code f: R^D -> R^O}: layers {@code z_l = a_l W_l h_{l-1} + c b_l},
 * {@code h_l = phi(z_l)} for the hidden layers and no activation after the last, where the factors
 * a_l and c come from the {@link Parameterization}. Immutable; all layers share one dtype.
 *
 * <p>Parameter order (used by parameter Jacobians): layer by layer, the weight row-major (out, in),
 * then the bias — PyTorch's state-dict order flattened.
 */
public final class Mlp {
    private final List<Layer> layers;
    private final Activation activation;
    private final Parameterization parameterization;

    /**
     * A network from its layers.
     *
     * @throws IllegalArgumentException if there is no layer, dtypes differ, or a layer's input width
     *                                  differs from the previous layer's output width (both named)
     */
    public Mlp(List<Layer> layers, Activation activation, Parameterization parameterization) {
        this.layers = List.copyOf(Objects.requireNonNull(layers, "layers"));
        this.activation = Objects.requireNonNull(activation, "activation");
        this.parameterization = Objects.requireNonNull(parameterization, "parameterization");
        if (this.layers.isEmpty()) {
            throw new IllegalArgumentException("layers: expected at least one layer but got none");
        }
        for (int l = 1; l < this.layers.size(); l++) {
            Layer prev = this.layers.get(l - 1);
            Layer cur = this.layers.get(l);
            if (cur.in() != prev.out()) {
                throw new IllegalArgumentException("layers[" + l + "].weight: expected shape (*, " + prev.out()
                        + ") to follow layers[" + (l - 1) + "].weight " + Shapes.format(prev.weight().shape())
                        + " but was " + Shapes.format(cur.weight().shape()));
            }
            if (cur.dtype() != prev.dtype()) {
                throw new IllegalArgumentException("layers[" + l + "]: expected dtype " + prev.dtype()
                        + " like layers[" + (l - 1) + "] but was " + cur.dtype());
            }
        }
    }

    /**
     * A randomly initialised network of the given widths {@code (D, n_1, ..., n_L, O)}, every layer
     * with a bias. STANDARD draws weights and biases uniformly from
     * {@code [-1/sqrt(fan_in), 1/sqrt(fan_in)]} like PyTorch's {@code nn.Linear}; NTK draws them from
     * N(0, 1). The same seed gives the same network.
     */
    public static Mlp random(long seed, Activation activation, Parameterization parameterization, DType dtype,
            long... widths) {
        if (widths.length < 2) {
            throw new IllegalArgumentException("widths: expected at least (D, O) but got " + widths.length + " values");
        }
        for (long w : widths) {
            if (w < 1 || w > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("widths: expected every width in [1, 2^31) but was "
                        + Shapes.format(widths));
            }
        }
        SplittableRandom rng = new SplittableRandom(seed);
        Layer[] layers = new Layer[widths.length - 1];
        for (int l = 0; l < layers.length; l++) {
            long in = widths[l];
            long out = widths[l + 1];
            double bound = 1 / Math.sqrt(in);
            Tensor w = Tensor.allocate(dtype, out, in);
            Tensor b = Tensor.allocate(dtype, out);
            for (long i = 0; i < w.size(); i++) {
                w.setFlat(i, draw(rng, parameterization, bound));
            }
            for (long i = 0; i < b.size(); i++) {
                b.setFlat(i, draw(rng, parameterization, bound));
            }
            layers[l] = new Layer(w, b);
        }
        return new Mlp(List.of(layers), activation, parameterization);
    }

    private static double draw(SplittableRandom rng, Parameterization p, double bound) {
        return p.kind() == Parameterization.Kind.NTK ? rng.nextGaussian() : rng.nextDouble(-bound, bound);
    }

    /** The layers, first to last. */
    public List<Layer> layers() {
        return layers;
    }

    /** The activation between consecutive layers. */
    public Activation activation() {
        return activation;
    }

    /** How stored parameters enter the forward pass. */
    public Parameterization parameterization() {
        return parameterization;
    }

    /** The element type of all parameters. */
    public DType dtype() {
        return layers.get(0).dtype();
    }

    /** Input dimension D. */
    public long inputDim() {
        return layers.get(0).in();
    }

    /** Output dimension O. */
    public long outputDim() {
        return layers.get(layers.size() - 1).out();
    }

    /** Number of hidden layers (layers minus one). */
    public int depth() {
        return layers.size() - 1;
    }

    /** The widths {@code (D, n_1, ..., n_L, O)}. */
    public long[] widths() {
        long[] w = new long[layers.size() + 1];
        w[0] = inputDim();
        for (int l = 0; l < layers.size(); l++) {
            w[l + 1] = layers.get(l).out();
        }
        return w;
    }

    /** Total number of hidden units {@code n_1 + ... + n_L} (the length of an activation pattern). */
    public long hiddenUnits() {
        long h = 0;
        for (int l = 0; l < layers.size() - 1; l++) {
            h += layers.get(l).out();
        }
        return h;
    }

    /** Total number of parameters P. */
    public long parameterCount() {
        long p = 0;
        for (Layer layer : layers) {
            p += layer.parameterCount();
        }
        return p;
    }

    /**
     * The outputs f(x), shape (N, O), for inputs {@code x} of shape (N, D) and the network's dtype,
     * computed on {@code backend} in row tiles that fit its memory.
     *
     * @throws IllegalArgumentException if x's shape or dtype does not fit, naming both shapes, or x
     *                                  holds a non-finite value
     */
    public Tensor forward(io.github.tangent4j.backend.Backend backend, Tensor x) {
        try (DeviceMlp d = DeviceMlp.upload(backend, this)) {
            return d.forward(x);
        }
    }

    /** This network with every parameter converted to {@code dtype}. */
    public Mlp to(DType dtype) {
        if (dtype == dtype()) {
            return this;
        }
        return new Mlp(layers.stream().map(l -> l.to(dtype)).toList(), activation, parameterization);
    }

    /** The same parameters with another activation. */
    public Mlp withActivation(Activation phi) {
        return new Mlp(layers, phi, parameterization);
    }

    @Override
    public String toString() {
        return "Mlp" + Shapes.format(widths()) + " " + activation + " " + parameterization.kind() + " " + dtype();
    }

    /** The network's architecture: its activation, {@link #depth()} hidden layers and parameterization. */
    public Architecture architecture() {
        return new Architecture(activation, depth(), parameterization);
    }

    /**
     * Checks inputs on the host for this network: rank 2, shape (N, {@link #inputDim()}), the network's
     * dtype, every element finite.
     *
     * @param name the argument's name in the message (e.g. {@code "x"}, {@code "x2"})
     * @return N, the number of input rows
     * @throws IllegalArgumentException naming the argument, the expected and the actual shape and dtype, or
     *                                  the first non-finite element
     */
    public long checkInput(String name, Tensor x) {
        Objects.requireNonNull(x, name);
        if (x.rank() != 2 || x.dim(1) != inputDim() || x.dtype() != dtype()) {
            throw new IllegalArgumentException(name + ": expected shape (N, " + inputDim() + ") of " + dtype()
                    + " but was " + Shapes.format(x.shape()) + " of " + x.dtype());
        }
        Finite.check(name, x);
        return x.dim(0);
    }

    /**
     * Checks inputs already on a backend for this network: (N, {@link #inputDim()}) columns and the
     * network's dtype (finiteness is the uploader's check).
     *
     * @param name the argument's name in the message
     * @throws IllegalArgumentException naming the argument, the expected and the actual shape and dtype
     */
    public void checkInput(String name, io.github.tangent4j.backend.DeviceMatrix x) {
        Objects.requireNonNull(x, name);
        if (x.cols() != inputDim() || x.dtype() != dtype()) {
            throw new IllegalArgumentException(name + ": expected shape (N, " + inputDim() + ") of " + dtype()
                    + " for " + this + " but was (" + x.rows() + ", " + x.cols() + ") of " + x.dtype());
        }
    }
}
