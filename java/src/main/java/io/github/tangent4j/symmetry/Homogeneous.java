package io.github.tangent4j.symmetry;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Mlp;
import java.util.Objects;

/**
 * The activations with the positive rescaling symmetry {@code phi(c z) = c phi(z)} for every c &gt; 0:
 * relu, leaky_relu, abs and identity. tanh and erf have none, so the symmetry classes refuse them.
 */
final class Homogeneous {
    private Homogeneous() {
    }

    /**
     * Checks that {@code mlp}'s activation is positively homogeneous.
     *
     * @throws IllegalArgumentException naming the activation otherwise
     */
    static void require(Mlp mlp) {
        Objects.requireNonNull(mlp, "mlp");
        Activation.Kind k = mlp.activation().kind();
        if (k == Activation.Kind.TANH || k == Activation.Kind.ERF) {
            throw new IllegalArgumentException("activation: expected relu, leaky_relu, abs or identity (positively "
                    + "homogeneous, with a rescaling symmetry) but was " + mlp.activation());
        }
    }

    /**
     * The jump {@code phi'(0+) - phi'(0-)} of the slope at the kink: 1 for relu, 1 - slope for leaky_relu,
     * 2 for abs, 0 for identity.
     */
    static double kink(Activation phi) {
        return switch (phi.kind()) {
            case RELU -> 1;
            case LEAKY_RELU -> 1 - phi.slope();
            case ABS -> 2;
            case IDENTITY -> 0;
            default -> throw new IllegalArgumentException("activation: expected relu, leaky_relu, abs or identity"
                    + " but was " + phi);
        };
    }
}
