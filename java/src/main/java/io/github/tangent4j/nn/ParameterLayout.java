package io.github.tangent4j.nn;

import java.util.Objects;

/**
 * Where each layer's parameters sit in the flat parameter vector of a network (length P): layer by
 * layer, the weight row-major (out, in), then the bias — PyTorch's state-dict order flattened. The
 * columns of a parameter Jacobian and the entries of a parameter tangent follow it.
 */
public final class ParameterLayout {
    private final Mlp mlp;
    private final long[] weightOffsets;
    private final long[] biasOffsets;
    private final long size;

    private ParameterLayout(Mlp mlp) {
        this.mlp = mlp;
        int n = mlp.layers().size();
        weightOffsets = new long[n];
        biasOffsets = new long[n];
        long p = 0;
        for (int l = 0; l < n; l++) {
            Layer layer = mlp.layers().get(l);
            weightOffsets[l] = p;
            p += layer.out() * layer.in();
            biasOffsets[l] = layer.hasBias() ? p : -1;
            p += layer.hasBias() ? layer.out() : 0;
        }
        size = p;
    }

    /** The layout of {@code mlp}'s parameters. */
    public static ParameterLayout of(Mlp mlp) {
        return new ParameterLayout(Objects.requireNonNull(mlp, "mlp"));
    }

    /** Total number of parameters P. */
    public long size() {
        return size;
    }

    /** Number of layers. */
    public int layers() {
        return weightOffsets.length;
    }

    /** Offset of layer {@code l}'s weight (out x in elements, row-major). */
    public long weightOffset(int l) {
        return weightOffsets[Objects.checkIndex(l, weightOffsets.length)];
    }

    /**
     * Offset of layer {@code l}'s bias (out elements).
     *
     * @throws IllegalArgumentException if the layer has no bias
     */
    public long biasOffset(int l) {
        long off = biasOffsets[Objects.checkIndex(l, biasOffsets.length)];
        if (off < 0) {
            throw new IllegalArgumentException("l: layer " + l + " of " + mlp + " has no bias");
        }
        return off;
    }

    /** Whether layer {@code l} has a bias. */
    public boolean hasBias(int l) {
        return biasOffsets[Objects.checkIndex(l, biasOffsets.length)] >= 0;
    }

    /** The state-dict-style name of a parameter block, e.g. {@code layers[1].weight}. */
    public String name(int l, boolean bias) {
        return "layers[" + l + "]." + (bias ? "bias" : "weight");
    }
}
