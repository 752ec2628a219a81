package io.github.tangent4j.jacobian;

import io.github.tangent4j.tensor.Tensor;

/**
 * Squared Frobenius norms of the input Jacobian, {@code ||d f / d x (x_i)||_F^2} per example — the
 * quantity Jacobian regularisation penalises (Hoffman, Roberts and Yaida, "Robust Learning with
 * Jacobian Regularization", 2019).
 *
 * @param perExample the N squared norms, shape (N,), in the network's dtype
 * @param mean       their mean over the batch (NaN for an empty batch), accumulated in double
 */
public record JacobianNorms(Tensor perExample, double mean) {
}
