package io.github.tangent4j.nn;

import java.util.Objects;

/**
 * How a layer's stored parameters enter the forward pass: {@code z = a * W h + b_scale * b}.
 * <ul>
 *   <li>{@link #STANDARD}: {@code a = 1, b_scale = 1} (PyTorch's {@code nn.Linear}).</li>
 *   <li>{@link #ntk(double, double)}: {@code a = sigma_w / sqrt(fan_in), b_scale = sigma_b}, the NTK
 *       parameterization of Jacot, Gabriel and Hongler, "Neural Tangent Kernel: Convergence and
 *       Generalization in Neural Networks" (NeurIPS 2018), with parameters initialised N(0, 1).</li>
 * </ul>
 * Jacobians with respect to parameters are taken with respect to the stored parameters.
 *
 * <p>One unit: the multipliers are <b>standard deviations</b> sigma_w and sigma_b, for the finite network
 * and its infinite-width kernels alike ({@link Architecture}). A description given in variances
 * ({@link #ntkVariances}, as the command line's {@code --sigma-w2}/{@code --sigma-b2}) keeps the variances
 * exactly as given ({@link #weightVariance()}, {@link #biasVariance()}), so converting at the edge costs no
 * rounding in the kernels. Immutable; equal when kind, multipliers and variances are.
 */
public final class Parameterization {
    /** The two parameterizations. */
    public enum Kind {
        /** Parameters used as stored. */
        STANDARD,
        /** Weights scaled by sigma_w / sqrt(fan_in), biases by sigma_b. */
        NTK
    }

    /** Parameters used as stored. */
    public static final Parameterization STANDARD = new Parameterization(Kind.STANDARD, 1, 1);

    private final Kind kind;
    private final double sigmaW;
    private final double sigmaB;
    private final double weightVariance;
    private final double biasVariance;

    /**
     * A parameterization from its multipliers (standard deviations).
     *
     * @param kind   STANDARD or NTK
     * @param sigmaW weight multiplier sigma_w (NTK only; 1 for STANDARD)
     * @param sigmaB bias multiplier sigma_b (NTK only; 1 for STANDARD)
     * @throws IllegalArgumentException unless the multipliers are finite and non-negative, and exactly 1 for
     *                                  STANDARD
     */
    public Parameterization(Kind kind, double sigmaW, double sigmaB) {
        this(kind, sigmaW, sigmaB, sigmaW * sigmaW, sigmaB * sigmaB);
    }

    private Parameterization(Kind kind, double sigmaW, double sigmaB, double weightVariance, double biasVariance) {
        Objects.requireNonNull(kind, "kind");
        if (!(sigmaW >= 0) || !(sigmaB >= 0) || Double.isInfinite(sigmaW) || Double.isInfinite(sigmaB)) {
            throw new IllegalArgumentException("sigmaW, sigmaB: expected finite values >= 0 but were "
                    + sigmaW + ", " + sigmaB);
        }
        if (kind == Kind.STANDARD && (sigmaW != 1 || sigmaB != 1)) {
            throw new IllegalArgumentException("sigmaW, sigmaB: the STANDARD parameterization has none; use ntk("
                    + sigmaW + ", " + sigmaB + ")");
        }
        this.kind = kind;
        this.sigmaW = sigmaW;
        this.sigmaB = sigmaB;
        this.weightVariance = weightVariance;
        this.biasVariance = biasVariance;
    }

    /** The NTK parameterization with weight multiplier {@code sigmaW} and bias multiplier {@code sigmaB}. */
    public static Parameterization ntk(double sigmaW, double sigmaB) {
        return new Parameterization(Kind.NTK, sigmaW, sigmaB);
    }

    /**
     * The NTK parameterization given by its variances {@code sigma_w^2} and {@code sigma_b^2}: multipliers
     * {@code sqrt(sigmaW2)} and {@code sqrt(sigmaB2)}, variances kept exactly as given.
     *
     * @throws IllegalArgumentException unless both variances are finite and non-negative (named)
     */
    public static Parameterization ntkVariances(double sigmaW2, double sigmaB2) {
        if (!(sigmaW2 >= 0) || Double.isInfinite(sigmaW2)) {
            throw new IllegalArgumentException("sigmaW2: expected a finite value >= 0 but was " + sigmaW2);
        }
        if (!(sigmaB2 >= 0) || Double.isInfinite(sigmaB2)) {
            throw new IllegalArgumentException("sigmaB2: expected a finite value >= 0 but was " + sigmaB2);
        }
        return new Parameterization(Kind.NTK, Math.sqrt(sigmaW2), Math.sqrt(sigmaB2), sigmaW2, sigmaB2);
    }

    /** STANDARD or NTK. */
    public Kind kind() {
        return kind;
    }

    /** The weight multiplier sigma_w (a standard deviation; 1 for STANDARD). */
    public double sigmaW() {
        return sigmaW;
    }

    /** The bias multiplier sigma_b (a standard deviation; 1 for STANDARD). */
    public double sigmaB() {
        return sigmaB;
    }

    /** {@code sigma_w^2}: as given to {@link #ntkVariances}, else {@code sigmaW * sigmaW}. */
    public double weightVariance() {
        return weightVariance;
    }

    /** {@code sigma_b^2}: as given to {@link #ntkVariances}, else {@code sigmaB * sigmaB}. */
    public double biasVariance() {
        return biasVariance;
    }

    /** The factor applied to a weight matrix with {@code fanIn} inputs. */
    public double weightScale(long fanIn) {
        return kind == Kind.STANDARD ? 1 : sigmaW / Math.sqrt(fanIn);
    }

    /** The factor applied to a bias vector. */
    public double biasScale() {
        return kind == Kind.STANDARD ? 1 : sigmaB;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Parameterization p && p.kind == kind && Double.compare(p.sigmaW, sigmaW) == 0
                && Double.compare(p.sigmaB, sigmaB) == 0 && Double.compare(p.weightVariance, weightVariance) == 0
                && Double.compare(p.biasVariance, biasVariance) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, sigmaW, sigmaB, weightVariance, biasVariance);
    }

    /** As a record would print it: {@code Parameterization[kind=NTK, sigmaW=1.4, sigmaB=0.1]}. */
    @Override
    public String toString() {
        return "Parameterization[kind=" + kind + ", sigmaW=" + sigmaW + ", sigmaB=" + sigmaB + "]";
    }
}
