package io.github.tangent4j.symmetry;

import io.github.tangent4j.nn.Mlp;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The function-preserving rescaling of hidden units ({@link Rescaling}) that minimises the weight decay
 * {@code sum_l ||W_l||_F^2 + sum over hidden layers ||b_l||^2} of the stored parameters (the output bias,
 * which no rescaling changes, is left out of the sum). At the minimum every unit is <em>balanced</em>:
 * its incoming weights and bias have the same squared norm as its outgoing weights, since rescaling it
 * by c changes its part of the sum to {@code c^2 in + out / c^2}, least at {@code c^4 = out / in}, where
 * both terms equal {@code sqrt(in out)}.
 *
 * <p>With one hidden layer the units do not interact and one pass is exact (weight decay
 * {@code 2 sum_j sqrt(in_j out_j)} afterwards). With more, each sweep balances every hidden layer in turn
 * (a block of independent units), which is block-coordinate descent on a strictly convex function of the
 * log-scales and converges to its unique minimiser (Stock, Graham, Gribonval and Jégou, "Equi-normalization
 * of Neural Networks", ICLR 2019); it stops when the largest relative imbalance
 * {@code |in - out| / (in + out)} seen in a sweep is at most the tolerance.
 *
 * <p>A unit with zero incoming weights and bias (it outputs phi(0) = 0) or zero outgoing weights
 * contributes nothing to the function, and its weight decay has an infimum (zero) that no positive
 * rescaling attains: such a unit is set to zero entirely and listed in {@link Result#zeroed}; the
 * function is unchanged. {@link Compression} removes such units. Immutable; computed on the host in
 * double precision, O(P) per sweep.
 *
 * @param mlp       the network (positively homogeneous activation)
 * @param tolerance the largest relative imbalance of a unit at which the sweeps stop, in (0, 1)
 * @param maxSweeps the cap on sweeps, >= 1
 */
public record Balancing(Mlp mlp, double tolerance, int maxSweeps) {
    /** The default tolerance on the relative imbalance of a unit. */
    public static final double DEFAULT_TOLERANCE = 1e-12;
    /** The default cap on sweeps. */
    public static final int DEFAULT_MAX_SWEEPS = 100_000;

    /**
     * A balanced network.
     *
     * @param network           the rescaled network (same widths, activation, parameterization, dtype)
     * @param weightDecayBefore the weight decay of the given network
     * @param weightDecayAfter  the weight decay of {@code network}
     * @param sweeps            the sweeps over the hidden layers run
     * @param converged         whether the tolerance was reached within the cap on sweeps
     * @param zeroed            the units set to zero (zero incoming or outgoing weights), in order
     */
    public record Result(Mlp network, double weightDecayBefore, double weightDecayAfter, int sweeps, boolean converged,
            List<Unit> zeroed) {
        /** Copies the list. */
        public Result {
            zeroed = List.copyOf(zeroed);
        }
    }

    /**
     * Checks the network, the tolerance and the cap on sweeps.
     *
     * @throws IllegalArgumentException if the activation is not relu, leaky_relu, abs or identity, unless
     *                                  0 &lt; tolerance &lt; 1, or unless maxSweeps >= 1
     */
    public Balancing {
        Homogeneous.require(mlp);
        if (!(tolerance > 0 && tolerance < 1)) {
            throw new IllegalArgumentException("tolerance: expected a number in (0, 1) but was " + tolerance);
        }
        if (maxSweeps < 1) {
            throw new IllegalArgumentException("sweeps: expected >= 1 but was " + maxSweeps);
        }
    }

    /**
     * Balancing of {@code mlp} with the default tolerance and cap on sweeps.
     *
     * @throws IllegalArgumentException if the activation is not relu, leaky_relu, abs or identity
     */
    public static Balancing of(Mlp mlp) {
        return new Balancing(mlp, DEFAULT_TOLERANCE, DEFAULT_MAX_SWEEPS);
    }

    /**
     * A copy stopping when no unit's relative imbalance exceeds {@code tolerance}.
     *
     * @throws IllegalArgumentException unless 0 &lt; tolerance &lt; 1
     */
    public Balancing withTolerance(double tolerance) {
        return new Balancing(mlp, tolerance, maxSweeps);
    }

    /**
     * A copy running at most {@code sweeps} sweeps.
     *
     * @throws IllegalArgumentException unless sweeps >= 1
     */
    public Balancing withMaxSweeps(int sweeps) {
        return new Balancing(mlp, tolerance, sweeps);
    }

    /** The balanced network. */
    public Result compute() {
        HostNetwork net = HostNetwork.of(mlp);
        double before = net.weightDecay();
        List<Unit> zeroed = new ArrayList<>();
        int sweeps = 0;
        boolean converged = false;
        while (sweeps < maxSweeps && !converged) {
            sweeps++;
            double imbalance = sweep(net, zeroed);
            converged = imbalance <= tolerance || net.hiddenLayers() == 1;
        }
        return new Result(net.toMlp(mlp.dtype(), mlp.activation(), mlp.parameterization()), before, net.weightDecay(),
                sweeps, converged, zeroed);
    }

    /** Balances every hidden layer in turn; returns the largest relative imbalance met. */
    static double sweep(HostNetwork net, List<Unit> zeroed) {
        double worst = 0;
        for (int h = 0; h < net.hiddenLayers(); h++) {
            double[] in = net.inNorms2(h);
            double[] out = net.outNorms2(h);
            double[] c = new double[in.length];
            for (int j = 0; j < c.length; j++) {
                c[j] = 1;
                if (in[j] == 0 && out[j] == 0) {
                    continue;
                }
                if (in[j] == 0 || out[j] == 0) {
                    net.scaleIncoming(h, j, 0);
                    net.scaleOutgoing(h, j, 0);
                    zeroed.add(new Unit(h, j));
                    worst = 1;
                    continue;
                }
                worst = Math.max(worst, Math.abs(in[j] - out[j]) / (in[j] + out[j]));
                c[j] = Math.sqrt(Math.sqrt(out[j] / in[j]));
            }
            net.scaleUnits(h, c);
        }
        return worst;
    }

    /**
     * The weight decay {@code sum_l ||W_l||_F^2 + sum over hidden layers ||b_l||^2} of the stored parameters.
     */
    public static double weightDecay(Mlp mlp) {
        return HostNetwork.of(Objects.requireNonNull(mlp, "mlp")).weightDecay();
    }
}
