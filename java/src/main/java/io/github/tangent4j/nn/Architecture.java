package io.github.tangent4j.nn;

import java.util.Objects;

/**
 * What a fully connected network is apart from its widths and weights: the activation phi, the number of
 * hidden layers L, and the {@link Parameterization} (standard deviations sigma_w, sigma_b). It is the one
 * description the empirical side ({@link Mlp#architecture()}) and the infinite-width kernels
 * ({@code InfiniteWidthKernel.of(architecture)}) share, so the two cannot disagree by a unit.
 *
 * @param activation      phi, applied after every hidden layer
 * @param depth           L >= 0 hidden layers
 * @param parameterization how parameters enter the forward pass (NTK for the infinite-width limit)
 */
public record Architecture(Activation activation, int depth, Parameterization parameterization) {
    /**
     * Checks the description.
     *
     * @throws IllegalArgumentException for a negative depth
     */
    public Architecture {
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(parameterization, "parameterization");
        if (depth < 0) {
            throw new IllegalArgumentException("depth: expected >= 0 hidden layers but was " + depth);
        }
    }

    /**
     * The NTK-parameterized architecture with weight and bias variances {@code sigmaW2 = sigma_w^2} and
     * {@code sigmaB2 = sigma_b^2} ({@link Parameterization#ntkVariances}), as the command line takes them.
     */
    public static Architecture ntkVariances(Activation activation, int depth, double sigmaW2, double sigmaB2) {
        return new Architecture(activation, depth, Parameterization.ntkVariances(sigmaW2, sigmaB2));
    }
}
