package io.github.tangent4j.convex;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.tensor.Tensor;

import java.util.Objects;

/**
 * The gated program's proximal-gradient iteration exposed one step at a time, for benchmarks and for
 * callers that drive their own stopping rule: each {@link #step} is one gradient of
 * {@code 1/2 ||sum_i D_i X~ u_i - y||^2} (two GEMMs of N x P x d' and N x d' elementwise work,
 * {@link MaskedOperator}) followed by the group soft-threshold on the host, at step 1/L (L from power iteration).
 * {@link ConvexFit#gated} runs the same iteration with momentum and the duality-gap stop.
 */
public final class GatedStepper implements AutoCloseable {
    private final MaskedOperator op;
    private final double[] target;
    private final double[] penalties;
    private final double step;
    private final double[] coefficients;

    /**
     * Uploads X~ (N, d') and the patterns' mask for targets y (N,) and weight decay beta.
     *
     * @throws IllegalArgumentException if the shapes do not agree or beta <= 0
     */
    public GatedStepper(Backend backend, Tensor lifted, PatternSet patterns, Tensor y, double beta) {
        Objects.requireNonNull(backend, "backend");
        Lifted.checkInputs(lifted);
        if (patterns.examples() != lifted.dim(0) || y.size() != lifted.dim(0)) {
            throw new IllegalArgumentException("patterns, y: expected " + lifted.dim(0) + " examples like x but had "
                    + patterns.examples() + " and " + y.size());
        }
        if (!(beta > 0)) {
            throw new IllegalArgumentException("beta: expected > 0 but was " + beta);
        }
        this.op = new MaskedOperator(backend, lifted, patterns.mask(lifted.dtype()));
        this.target = y.toDoubleArray();
        this.penalties = new double[op.groups];
        java.util.Arrays.fill(penalties, beta);
        this.step = 1 / op.lipschitz();
        this.coefficients = new double[op.groups * op.dims];
    }

    /** One proximal-gradient step; returns 1/2 ||residual||^2 before it. */
    public double step() {
        double[] r = Vectors.minus(op.apply(coefficients), target);
        double[] g = op.adjoint(r);
        for (int i = 0; i < coefficients.length; i++) {
            coefficients[i] -= step * g[i];
        }
        GroupFista.prox(coefficients, penalties, op.dims, step);
        return 0.5 * Vectors.dot(r, r);
    }

    /** The two GEMMs of one step alone ({@code M U} and {@code M^T X~}, no elementwise work or transfers). */
    public void gemmsOnly() {
        op.gemmsOfOneStep();
    }

    @Override
    public void close() {
        op.close();
    }
}
