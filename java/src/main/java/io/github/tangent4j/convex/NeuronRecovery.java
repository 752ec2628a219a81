package io.github.tangent4j.convex;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The two-layer ReLU network of a convex solution (Pilanci and Ergen 2020, Theorem 1): each nonzero group
 * vector c (in the lifted space, d' = d or d + 1 entries) with output sign s and output o becomes the neuron
 * {@code (u, bias) = c / sqrt(||c||)}, {@code a_o = s sqrt(||c||)}, so that {@code a relu(u.x + bias) = s relu(c.x~)}
 * and {@code beta/2 (||u||^2 + bias^2 + a^2) = beta ||c||}.
 */
final class NeuronRecovery {
    /** One neuron before rescaling. */
    record Neuron(double[] vector, double sign, int output) {
    }

    private final List<Neuron> neurons = new ArrayList<>();

    /** Adds a neuron unless its vector is zero. */
    void add(double[] vector, double sign, int output) {
        double norm = Math.sqrt(Vectors.dot(vector, vector));
        if (norm > 0) {
            neurons.add(new Neuron(vector.clone(), sign, output));
        }
    }

    /**
     * The network: (K, d) weight and (K) bias with {@code bias}, then (O, K) output weight. With no neuron,
     * one neuron of zero weights, so that the state dict stays a valid two-layer network.
     */
    Mlp network(int d, boolean bias, int outputs, DType dtype) {
        int k = Math.max(1, neurons.size());
        Tensor w0 = Tensor.allocate(dtype, k, d);
        Tensor b0 = bias ? Tensor.allocate(dtype, k) : null;
        Tensor w1 = Tensor.allocate(dtype, outputs, k);
        for (int j = 0; j < neurons.size(); j++) {
            Neuron n = neurons.get(j);
            double norm = Math.sqrt(Vectors.dot(n.vector(), n.vector()));
            double root = Math.sqrt(norm);
            for (int i = 0; i < d; i++) {
                w0.setFlat((long) j * d + i, n.vector()[i] / root);
            }
            if (bias) {
                b0.setFlat(j, n.vector()[d] / root);
            }
            w1.setFlat((long) n.output() * k + j, n.sign() * root);
        }
        return new Mlp(List.of(new Layer(w0, b0), new Layer(w1, null)), Activation.RELU, Parameterization.STANDARD);
    }
}
