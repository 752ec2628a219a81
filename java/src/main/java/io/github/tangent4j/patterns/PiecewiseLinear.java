package io.github.tangent4j.patterns;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Mlp;
import java.util.Objects;

/**
 * The activations whose activation pattern determines the network's linear piece: relu, leaky_relu
 * and abs. On a set of inputs where every pre-activation keeps its sign, each of them is a fixed
 * linear map per unit ({@link #slope}), so the network is affine there (the linear regions of
 * Montúfar et al. 2014, Hanin and Rolnick 2019).
 */
final class PiecewiseLinear {
    private PiecewiseLinear() {
    }

    /**
     * Checks that {@code mlp}'s activation is relu, leaky_relu or abs.
     *
     * @throws IllegalArgumentException naming the activation otherwise
     */
    static void require(Mlp mlp) {
        Objects.requireNonNull(mlp, "mlp");
        Activation.Kind k = mlp.activation().kind();
        if (k != Activation.Kind.RELU && k != Activation.Kind.LEAKY_RELU && k != Activation.Kind.ABS) {
            throw new IllegalArgumentException("activation: activation patterns need a piecewise-linear activation "
                    + "(relu, leaky_relu or abs) but the network uses " + mlp.activation());
        }
    }

    /** The slope of phi on the side where the pre-activation is positive ({@code active}) or not. */
    static double slope(Activation phi, boolean active) {
        if (active) {
            return 1;
        }
        return switch (phi.kind()) {
            case RELU -> 0;
            case LEAKY_RELU -> phi.slope();
            case ABS -> -1;
            default -> throw new IllegalArgumentException("activation: expected relu, leaky_relu or abs but was " + phi);
        };
    }
}
