package io.github.tangent4j.symmetry;

import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The network with the effective weights of its parameterization, {@code a_l W_l} and {@code c b_l}
 * (see {@link Parameterization}), in the STANDARD parameterization: the same function, with parameters
 * that are the function's weights. A STANDARD network is returned as it is.
 */
public final class EffectiveNetwork {
    private EffectiveNetwork() {
    }

    /** {@code mlp} with its effective weights, STANDARD parameterization, same dtype and activation. */
    public static Mlp of(Mlp mlp) {
        Parameterization p = mlp.parameterization();
        if (p.kind() == Parameterization.Kind.STANDARD) {
            return mlp;
        }
        List<Layer> layers = new ArrayList<>();
        for (Layer layer : mlp.layers()) {
            layers.add(new Layer(scaled(layer.weight(), p.weightScale(layer.in())),
                    layer.hasBias() ? scaled(layer.bias(), p.biasScale()) : null));
        }
        return new Mlp(layers, mlp.activation(), Parameterization.STANDARD);
    }

    private static Tensor scaled(Tensor t, double factor) {
        Tensor c = t.copy();
        for (long i = 0; i < c.size(); i++) {
            c.setFlat(i, factor * c.getFlat(i));
        }
        return c;
    }
}
