package io.github.tangent4j.training;

import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.ParameterLayout;
import io.github.tangent4j.nn.ParameterMask;
import io.github.tangent4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The trainable parameters of a network as one vector of length M: per layer, the masked entries of
 * the weight (row-major) and then of the bias, layer by layer — the {@link ParameterLayout} order
 * restricted to the mask. Reads them out of a network and writes a vector back into a copy of it, in
 * which every other parameter is the same tensor (so bit-identical) and only touched blocks are copied.
 */
final class MaskedParameters {
    private final Mlp mlp;
    private final int[][] weightEntries;
    private final int[][] biasEntries;
    private final int[] weightOffsets;
    private final int[] biasOffsets;
    private final int count;

    private MaskedParameters(Mlp mlp, ParameterMask mask) {
        this.mlp = mlp;
        ParameterLayout layout = ParameterLayout.of(mlp);
        int layers = mlp.layers().size();
        weightEntries = new int[layers][];
        biasEntries = new int[layers][];
        weightOffsets = new int[layers];
        biasOffsets = new int[layers];
        int m = 0;
        for (int l = 0; l < layers; l++) {
            Layer layer = mlp.layers().get(l);
            weightOffsets[l] = m;
            weightEntries[l] = entries(mask, layout.weightOffset(l), layer.out() * layer.in());
            m += weightEntries[l].length;
            biasOffsets[l] = m;
            biasEntries[l] = layer.hasBias() ? entries(mask, layout.biasOffset(l), layer.out()) : new int[0];
            m += biasEntries[l].length;
        }
        count = m;
    }

    /**
     * The trainable parameters of {@code mlp} under {@code mask}.
     *
     * @throws IllegalArgumentException if the mask has another length than the network's P, or marks
     *                                  no parameter trainable
     */
    static MaskedParameters of(Mlp mlp, ParameterMask mask) {
        Objects.requireNonNull(mlp, "mlp");
        Objects.requireNonNull(mask, "mask");
        if (mask.size() != mlp.parameterCount()) {
            throw new IllegalArgumentException("mask: expected " + mlp.parameterCount() + " flags for " + mlp
                    + " but has " + mask.size());
        }
        if (mask.count() == 0) {
            throw new IllegalArgumentException("mask: expected at least one trainable parameter but the mask marks"
                    + " none of the " + mask.size());
        }
        return new MaskedParameters(mlp, mask);
    }

    private static int[] entries(ParameterMask mask, long offset, long length) {
        List<Integer> list = new ArrayList<>();
        for (long i = 0; i < length; i++) {
            if (mask.trainable(offset + i)) {
                list.add(Math.toIntExact(i));
            }
        }
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    /** M, the number of trainable parameters. */
    int count() {
        return count;
    }

    /** Number of layers. */
    int layers() {
        return weightEntries.length;
    }

    /** The trainable entries of layer l's weight, as row-major indices into (out, in), ascending. */
    int[] weightEntries(int l) {
        return weightEntries[l];
    }

    /** The trainable entries of layer l's bias, ascending. */
    int[] biasEntries(int l) {
        return biasEntries[l];
    }

    /** Where layer l's weight entries start in the vector of M. */
    int weightOffset(int l) {
        return weightOffsets[l];
    }

    /** Where layer l's bias entries start in the vector of M. */
    int biasOffset(int l) {
        return biasOffsets[l];
    }

    /** The trainable parameters of {@code net} (the same widths as this mask's network), as doubles. */
    double[] values(Mlp net) {
        double[] v = new double[count];
        for (int l = 0; l < layers(); l++) {
            Layer layer = net.layers().get(l);
            gather(layer.weight(), weightEntries[l], v, weightOffsets[l]);
            if (biasEntries[l].length > 0) {
                gather(layer.bias(), biasEntries[l], v, biasOffsets[l]);
            }
        }
        return v;
    }

    private static void gather(Tensor t, int[] entries, double[] v, int offset) {
        for (int k = 0; k < entries.length; k++) {
            v[offset + k] = t.getFlat(entries[k]);
        }
    }

    /**
     * A copy of the network with the trainable parameters set to {@code values} (length M, rounded to
     * the network's dtype). Blocks without trainable entries are the original tensors.
     *
     * @throws IllegalArgumentException if a value is not finite, naming it
     */
    Mlp with(double[] values) {
        if (values.length != count) {
            throw new IllegalArgumentException("values: expected " + count + " but got " + values.length);
        }
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < layers(); l++) {
            Layer layer = mlp.layers().get(l);
            Tensor w = scatter(layer.weight(), weightEntries[l], values, weightOffsets[l]);
            Tensor b = layer.hasBias() ? scatter(layer.bias(), biasEntries[l], values, biasOffsets[l]) : null;
            layers.add(w == layer.weight() && b == layer.bias() ? layer : new Layer(w, b));
        }
        return new Mlp(layers, mlp.activation(), mlp.parameterization());
    }

    private static Tensor scatter(Tensor t, int[] entries, double[] v, int offset) {
        if (entries.length == 0) {
            return t;
        }
        Tensor c = t.copy();
        for (int k = 0; k < entries.length; k++) {
            c.setFlat(entries[k], v[offset + k]);
        }
        return c;
    }
}
