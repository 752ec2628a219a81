package io.github.tangent4j.training;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.ParameterMask;
import io.github.tangent4j.tensor.Finite;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import java.util.Objects;

/**
 * Fits the trainable parameters of a network ({@link ParameterMask}) to targets: minimises the loss
 * {@code L = (1 / (N O)) sum_{i,o} (f(x_i)_o - y_{i,o})^2}, the mean over the N*O entries of the squared
 * error, over the M trainable parameters only; every other parameter of the result is bit-identical to
 * the input network's.
 *
 * <ul>
 *   <li>{@link Method#LEVENBERG_MARQUARDT} (the default), for the small exact problems of the
 *       subset-learning benchmark: each step solves {@code (J_S^T J_S + mu I) delta = -J_S^T r} (when
 *       M <= N*O) or its dual {@code delta = -J_S^T (J_S J_S^T + mu I)^-1 r} (when N*O < M) by Cholesky,
 *       with the Jacobian GEMMs on the backend, and adapts mu by the gain ratio (Marquardt 1963; Nielsen's
 *       update, see Madsen, Nielsen and Tingleff, "Methods for non-linear least squares problems", 2004,
 *       section 3.2).</li>
 *   <li>{@link Method#ADAM}, for networks too large for J_S: mini-batch gradients by one reverse sweep
 *       with the residual as cotangent (a VJP), and Adam's update (Kingma and Ba, ICLR 2015), the full
 *       loss checked once per epoch.</li>
 * </ul>
 *
 * <p>A fit stops when the loss is at most {@code tolerance * mean(y^2)} ({@link StopReason#TOLERANCE}; the
 * tolerance alone when y is all zeros), when a step improves the loss by less than a relative
 * {@code minImprovement} or LM's damping can no longer find a descent ({@link StopReason#NO_IMPROVEMENT}),
 * or after the step budget ({@link StopReason#STEP_BUDGET}). A loss that is not finite throws an
 * {@link ArithmeticException} naming the step. Immutable; configure with the with-ers.
 *
 * @param mlp            the network
 * @param mask           which of its parameters are trained (one flag per parameter, at least one set)
 * @param method         the optimiser
 * @param steps          the step budget, >= 1
 * @param tolerance      the relative loss at which the fit stops, >= 0 and finite
 * @param minImprovement the relative improvement of a step below which the fit stops, >= 0 and finite
 * @param learningRate   Adam's learning rate, > 0 and finite
 * @param batchSize      Adam's mini-batch size, >= 1
 * @param seed           Adam's shuffling seed
 * @param listener       told the loss as the fit goes, or {@code null}
 */
public record MaskedFit(Mlp mlp, ParameterMask mask, Method method, int steps, double tolerance, double minImprovement,
        double learningRate, long batchSize, long seed, StepListener listener) {
    /** The optimiser. */
    public enum Method {
        /** Levenberg–Marquardt on the masked parameter Jacobian. */
        LEVENBERG_MARQUARDT,
        /** Adam on mini-batch gradients. */
        ADAM
    }

    /** Why a fit stopped. */
    public enum StopReason {
        /** The loss reached the tolerance. */
        TOLERANCE,
        /** The loss stopped improving (a least-squares floor or a local minimum). */
        NO_IMPROVEMENT,
        /** The step budget ran out. */
        STEP_BUDGET
    }

    /** Told the loss after every step (LM) or epoch (Adam). */
    @FunctionalInterface
    public interface StepListener {
        /**
         * @param step the number of steps taken so far
         * @param loss the mean squared error over all N*O entries after them
         */
        void step(int step, double loss);
    }

    /**
     * The outcome of a fit.
     *
     * @param mlp    the fitted network: the input network with the trainable parameters replaced
     * @param loss   the final loss, the mean over N*O entries of the squared error
     * @param steps  the number of steps taken (LM: accepted and rejected; Adam: mini-batch updates)
     * @param reason why it stopped
     * @param target the loss the tolerance asked for ({@code tolerance * mean(y^2)})
     */
    public record Result(Mlp mlp, double loss, int steps, StopReason reason, double target) {
    }

    /**
     * Checks the settings (the mask against the network: when {@link #fit} starts).
     *
     * @throws IllegalArgumentException naming the first setting out of its range
     */
    public MaskedFit {
        Objects.requireNonNull(mlp, "mlp");
        Objects.requireNonNull(mask, "mask");
        Objects.requireNonNull(method, "method");
        if (steps < 1) {
            throw new IllegalArgumentException("steps: expected >= 1 but was " + steps);
        }
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new IllegalArgumentException("tolerance: expected a finite value >= 0 but was " + tolerance);
        }
        if (!(minImprovement >= 0) || Double.isInfinite(minImprovement)) {
            throw new IllegalArgumentException("minImprovement: expected a finite value >= 0 but was "
                    + minImprovement);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learningRate: expected a finite value > 0 but was " + learningRate);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize: expected >= 1 but was " + batchSize);
        }
    }

    /**
     * A fit of the parameters of {@code mlp} that {@code mask} marks trainable: Levenberg–Marquardt, at
     * most 200 steps, tolerance 1e-20, minimum relative improvement 1e-12 (Adam: learning rate 1e-3,
     * batches of 256, seed 0).
     *
     * @throws IllegalArgumentException if the mask does not have one flag per parameter or marks none
     */
    public static MaskedFit of(Mlp mlp, ParameterMask mask) {
        MaskedParameters.of(mlp, mask);
        return new MaskedFit(mlp, mask, Method.LEVENBERG_MARQUARDT, 200, 1e-20, 1e-12, 1e-3, 256, 0, null);
    }

    /** A copy using {@code method}. */
    public MaskedFit withMethod(Method method) {
        return new MaskedFit(mlp, mask, method, steps, tolerance, minImprovement, learningRate, batchSize, seed,
                listener);
    }

    /** A copy taking at most {@code steps} (>= 1) steps. */
    public MaskedFit withSteps(int steps) {
        return new MaskedFit(mlp, mask, method, steps, tolerance, minImprovement, learningRate, batchSize, seed,
                listener);
    }

    /** A copy stopping at a loss of {@code tolerance * mean(y^2)} ({@code tolerance >= 0}, finite). */
    public MaskedFit withTolerance(double tolerance) {
        return new MaskedFit(mlp, mask, method, steps, tolerance, minImprovement, learningRate, batchSize, seed,
                listener);
    }

    /** A copy stopping when a step improves the loss by a relative amount below {@code minImprovement} (>= 0). */
    public MaskedFit withMinImprovement(double minImprovement) {
        return new MaskedFit(mlp, mask, method, steps, tolerance, minImprovement, learningRate, batchSize, seed,
                listener);
    }

    /** A copy with Adam's learning rate (> 0, finite). */
    public MaskedFit withLearningRate(double learningRate) {
        return new MaskedFit(mlp, mask, method, steps, tolerance, minImprovement, learningRate, batchSize, seed,
                listener);
    }

    /** A copy with Adam's mini-batch size (>= 1; batches never exceed N) and shuffling seed. */
    public MaskedFit withBatches(long batchSize, long seed) {
        return new MaskedFit(mlp, mask, method, steps, tolerance, minImprovement, learningRate, batchSize, seed,
                listener);
    }

    /** A copy telling {@code listener} the loss as the fit goes (null: nobody). */
    public MaskedFit withProgress(StepListener listener) {
        return new MaskedFit(mlp, mask, method, steps, tolerance, minImprovement, learningRate, batchSize, seed,
                listener);
    }

    /**
     * Fits to targets {@code y} (N, O) at inputs {@code x} (N, D), both of the network's dtype, on
     * {@code backend}.
     *
     * @throws IllegalArgumentException if x or y does not fit (shape, dtype, finiteness), naming it
     * @throws ArithmeticException      if the loss becomes infinite or NaN, naming the step
     */
    public Result fit(Backend backend, Tensor x, Tensor y) {
        Objects.requireNonNull(backend, "backend");
        check("x", x, -1, mlp.inputDim());
        check("y", y, x.dim(0), mlp.outputDim());
        if (x.dim(0) == 0) {
            throw new IllegalArgumentException("x: expected at least one example but N was 0");
        }
        MaskedParameters params = MaskedParameters.of(mlp, mask);
        double meanSquare = 0;
        for (long i = 0; i < y.size(); i++) {
            double v = y.getFlat(i);
            meanSquare += v * v;
        }
        meanSquare /= y.size();
        double target = tolerance * (meanSquare > 0 ? meanSquare : 1);
        return switch (method) {
            case LEVENBERG_MARQUARDT -> new LevenbergMarquardt(this, params, target).run(backend, x, y);
            case ADAM -> new Adam(this, params, target).run(backend, x, y);
        };
    }

    private void check(String name, Tensor t, long rows, long cols) {
        Objects.requireNonNull(t, name);
        if (t.rank() != 2 || (rows >= 0 && t.dim(0) != rows) || t.dim(1) != cols || t.dtype() != mlp.dtype()) {
            throw new IllegalArgumentException(name + ": expected shape (" + (rows >= 0 ? rows : "N") + ", " + cols
                    + ") of " + mlp.dtype() + " but was " + Shapes.format(t.shape()) + " of " + t.dtype());
        }
        Finite.check(name, t);
    }

    void report(int step, double loss) {
        if (listener != null) {
            listener.step(step, loss);
        }
    }

    /** Sum over all entries of {@code (f - y)^2}, and {@code r = f - y} into {@code residual} when not null. */
    static double squaredError(Tensor f, Tensor y, double[] residual) {
        double s = 0;
        for (long i = 0; i < y.size(); i++) {
            double r = f.getFlat(i) - y.getFlat(i);
            if (residual != null) {
                residual[(int) i] = r;
            }
            s += r * r;
        }
        return s;
    }

    /** Throws the divergence error when {@code loss} is not finite. */
    static void checkFinite(double loss, int step, String method) {
        if (!Double.isFinite(loss)) {
            throw new ArithmeticException("fit: the loss became " + loss + " at step " + step + " (" + method
                    + "); the fit diverged, nothing was kept");
        }
    }
}
