package io.github.tangent4j.convex;

import io.github.tangent4j.nn.Mlp;

import java.util.Objects;

/**
 * The solution of a convex program at one beta.
 *
 * @param beta       the weight-decay strength
 * @param objective  the weight-decay objective {@code 1/2 ||f(X) - y||^2 + beta/2 sum_j (||u_j||^2 + c_j^2 + a_j^2)}
 *                   of {@code network}, computed from the network itself ({@link TwoLayerObjective})
 * @param dualBound  the dual lower bound of the convex program (summed over outputs): no network whose
 *                   neurons use the program's patterns has a smaller objective; with all patterns, no
 *                   two-layer ReLU network of any width does
 * @param converged  whether every output's gap reached the tolerance before the iteration limit
 * @param iterations the solver iterations used (summed over outputs)
 * @param network    the recovered two-layer network, layers (d -> K) with ReLU and (K -> O) without bias
 */
public record ConvexSolution(double beta, double objective, double dualBound, boolean converged, int iterations,
        Mlp network) {
    /** Validates that there is a network. */
    public ConvexSolution {
        Objects.requireNonNull(network, "network");
    }

    /** The duality gap {@code objective - dualBound}, >= 0 up to rounding. */
    public double gap() {
        return objective - dualBound;
    }

    /** The number of hidden neurons with a nonzero output weight. */
    public int neurons() {
        io.github.tangent4j.tensor.Tensor a = network.layers().get(1).weight();
        int count = 0;
        for (long j = 0; j < a.dim(1); j++) {
            boolean used = false;
            for (long o = 0; o < a.dim(0); o++) {
                used |= a.getFlat(o * a.dim(1) + j) != 0;
            }
            count += used ? 1 : 0;
        }
        return count;
    }
}
