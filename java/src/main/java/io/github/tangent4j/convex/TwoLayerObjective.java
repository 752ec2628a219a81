package io.github.tangent4j.convex;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.Tensor;

import java.util.Objects;

/**
 * The weight-decay training objective of a two-layer network {@code f(x) = sum_j a_j phi(u_j.x + c_j)}:
 * {@code 1/2 ||f(X) - y||^2 + beta/2 sum_j (||u_j||^2 + c_j^2 + a_j^2)} (Pilanci and Ergen 2020, eq. (2)),
 * the quantity the convex program minimises. The network's forward pass runs on the backend.
 */
public final class TwoLayerObjective {
    private TwoLayerObjective() {
    }

    /**
     * The objective of {@code network} (two layers, no output bias) on inputs x (N, d) and targets y (N,)
     * or (N, O).
     *
     * @throws IllegalArgumentException if the network is not two layers without output bias, or the shapes
     *                                  do not fit
     */
    public static double value(Backend backend, Mlp network, Tensor x, Tensor y, double beta) {
        Objects.requireNonNull(network, "network");
        if (network.layers().size() != 2 || network.layers().get(1).hasBias()) {
            throw new IllegalArgumentException("network: expected two layers without an output bias but was " + network);
        }
        Tensor f = network.forward(backend, x);
        long outputs = network.outputDim();
        if (y.size() != f.size() || y.dim(0) != f.dim(0)) {
            throw new IllegalArgumentException("y: expected " + f.dim(0) + " x " + outputs + " targets but was "
                    + io.github.tangent4j.tensor.Shapes.format(y.shape()));
        }
        double loss = 0;
        for (long i = 0; i < f.size(); i++) {
            double r = f.getFlat(i) - y.getFlat(i);
            loss += r * r;
        }
        double squares = 0;
        for (Layer layer : network.layers()) {
            squares += sumOfSquares(layer.weight());
            if (layer.hasBias()) {
                squares += sumOfSquares(layer.bias());
            }
        }
        return 0.5 * loss + 0.5 * beta * squares;
    }

    private static double sumOfSquares(Tensor t) {
        double s = 0;
        for (long i = 0; i < t.size(); i++) {
            s += t.getFlat(i) * t.getFlat(i);
        }
        return s;
    }
}
