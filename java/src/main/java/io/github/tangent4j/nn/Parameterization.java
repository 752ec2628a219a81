package io.github.tangent4j.nn;

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
 * @param kind   STANDARD or NTK
 * @param sigmaW weight multiplier sigma_w (NTK only; 1 for STANDARD)
 * @param sigmaB bias multiplier sigma_b (NTK only; 1 for STANDARD)
 */
public record Parameterization(Kind kind, double sigmaW, double sigmaB) {
    /** The two parameterizations. */
    public enum Kind {
        /** Parameters used as stored. */
        STANDARD,
        /** Weights scaled by sigma_w / sqrt(fan_in), biases by sigma_b. */
        NTK
    }

    /** Parameters used as stored. */
    public static final Parameterization STANDARD = new Parameterization(Kind.STANDARD, 1, 1);

    /** Validates the multipliers: finite and non-negative; exactly 1 for STANDARD. */
    public Parameterization {
        java.util.Objects.requireNonNull(kind, "kind");
        if (!(sigmaW >= 0) || !(sigmaB >= 0) || Double.isInfinite(sigmaW) || Double.isInfinite(sigmaB)) {
            throw new IllegalArgumentException("sigmaW, sigmaB: expected finite values >= 0 but were "
                    + sigmaW + ", " + sigmaB);
        }
        if (kind == Kind.STANDARD && (sigmaW != 1 || sigmaB != 1)) {
            throw new IllegalArgumentException("sigmaW, sigmaB: the STANDARD parameterization has none; use ntk("
                    + sigmaW + ", " + sigmaB + ")");
        }
    }

    /** The NTK parameterization with weight multiplier {@code sigmaW} and bias multiplier {@code sigmaB}. */
    public static Parameterization ntk(double sigmaW, double sigmaB) {
        return new Parameterization(Kind.NTK, sigmaW, sigmaB);
    }

    /** The factor applied to a weight matrix with {@code fanIn} inputs. */
    public double weightScale(long fanIn) {
        return kind == Kind.STANDARD ? 1 : sigmaW / Math.sqrt(fanIn);
    }

    /** The factor applied to a bias vector. */
    public double biasScale() {
        return kind == Kind.STANDARD ? 1 : sigmaB;
    }
}
