package io.github.tangent4j.symmetry;

import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.DType;
import java.util.Arrays;

/**
 * The second-order total variation in the Radon domain (the R-norm) of the function of a network with
 * one hidden layer, {@code f(x) = sum_k v_k phi(w_k . x + b_k) + c}, following Parhi and Nowak, "What
 * kinds of functions do deep neural networks learn? Insights from variational spline theory" (SIAM J.
 * Math. Data Sci. 2022, arXiv 2105.03361), and Ongie, Willett, Soudry and Srebro, "A function space view
 * of bounded norm infinite width ReLU nets: the multivariate case" (ICLR 2020).
 *
 * <p>Across the hyperplane {@code w_k . x + b_k = 0}, the gradient of unit k's term jumps by
 * {@code kappa v_k ||w_k||} along the unit normal, with {@code kappa = |phi'(0+) - phi'(0-)|} (1 for relu,
 * |1 - slope| for leaky_relu, 2 for abs, 0 for identity), for either orientation of {@code (w_k, b_k)}. Units
 * on the same hyperplane up to sign (normalised {@code (w, b) / ||w||} equal up to sign, within the
 * tolerance) share one atom, so per output o
 * <pre>
 *   RTV2_o(f) = kappa sum over distinct hyperplanes H of | sum_{k in H} v_{k,o} ||w_k|| |
 * </pre>
 * and the total is the sum over outputs. Beside it: the naive bound
 * {@code kappa sum_k |v_{k,o}| ||w_k||} (equal when no two units share a hyperplane), and
 * {@code sum_k ||v_k||_2 ||w_k||}, which is half the smallest weight decay {@code sum ||v_k||^2 + ||w_k||^2}
 * over rescalings when the hidden biases are not regularised: for relu and one output, weight decay on the
 * balanced network is the naive bound, and the R-norm of the function is its least value over all
 * representations. Units with zero weights {@code w_k} are constant and contribute nothing. Effective
 * weights of the parameterization ({@link EffectiveNetwork}).
 *
 * @param mlp       the network: one hidden layer, positively homogeneous activation
 * @param tolerance how close (>= 0) normalised hyperplane parameters must be to share an atom
 */
public record RadonNorm(Mlp mlp, double tolerance) {
    /**
     * The R-norm and what it is compared with.
     *
     * @param perOutput     RTV2 per output (O,)
     * @param total         the sum over outputs
     * @param naiveBound    {@code kappa sum_k |v_{k,o}| ||w_k||} per output (O,)
     * @param balancedPenalty {@code sum_k ||v_k||_2 ||w_k||}
     * @param hyperplanes   the number of distinct hyperplanes (atoms)
     */
    public record Result(double[] perOutput, double total, double[] naiveBound, double balancedPenalty,
            int hyperplanes) {
    }

    /**
     * Checks the network and the tolerance.
     *
     * @throws IllegalArgumentException if the network does not have exactly one hidden layer, the activation
     *                                  is not relu, leaky_relu, abs or identity, or tolerance is negative or NaN
     */
    public RadonNorm {
        Homogeneous.require(mlp);
        if (mlp.depth() != 1) {
            throw new IllegalArgumentException("mlp: the R-norm is computed for one hidden layer but " + mlp + " has "
                    + mlp.depth() + " (LayerPenalty gives the penalty of a deep network)");
        }
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("tolerance: expected a number >= 0 but was " + tolerance);
        }
    }

    /**
     * The R-norm of a network with one hidden layer and a positively homogeneous activation, hyperplanes
     * grouped within 1e-12 (F64) or 1e-6 (F32).
     *
     * @throws IllegalArgumentException if the network does not have exactly one hidden layer, or the
     *                                  activation is not relu, leaky_relu, abs or identity
     */
    public static RadonNorm of(Mlp mlp) {
        return new RadonNorm(mlp, mlp.dtype() == DType.F32 ? 1e-6 : 1e-12);
    }

    /**
     * A copy grouping hyperplanes whose normalised parameters agree within {@code tolerance}.
     *
     * @throws IllegalArgumentException if tolerance is negative or NaN
     */
    public RadonNorm withTolerance(double tolerance) {
        return new RadonNorm(mlp, tolerance);
    }

    /** The R-norm, the naive bound and the balanced penalty. */
    public Result compute() {
        double kappa = Math.abs(Homogeneous.kink(mlp.activation()));   // a leaky slope may exceed 1
        HostNetwork net = HostNetwork.of(EffectiveNetwork.of(mlp));
        int n = net.width(0);
        int d = net.in(0);
        int outs = net.out(1);
        double[] norm = new double[n];
        double[][] plane = new double[n][];
        for (int k = 0; k < n; k++) {
            norm[k] = Math.sqrt(net.weightNorm2(0, k));
            if (norm[k] > 0) {
                plane[k] = orientedPlane(net, k, d, norm[k]);
            }
        }
        int[] atom = new int[n];
        Arrays.fill(atom, -1);
        int atoms = 0;
        for (int k = 0; k < n; k++) {
            if (plane[k] == null || atom[k] >= 0) {
                continue;
            }
            atom[k] = atoms;
            for (int m = k + 1; m < n; m++) {
                if (plane[m] != null && atom[m] < 0 && close(plane[k], plane[m], tolerance)) {
                    atom[m] = atoms;
                }
            }
            atoms++;
        }
        double[] per = new double[outs];
        double[] naive = new double[outs];
        double balanced = 0;
        for (int o = 0; o < outs; o++) {
            double[] jump = new double[atoms];
            for (int k = 0; k < n; k++) {
                if (plane[k] == null) {
                    continue;
                }
                double v = net.w[1][o * n + k];
                jump[atom[k]] += v * norm[k];
                naive[o] += kappa * Math.abs(v) * norm[k];
            }
            for (double j : jump) {
                per[o] += kappa * Math.abs(j);
            }
        }
        for (int k = 0; k < n; k++) {
            balanced += Math.sqrt(net.outNorm2(0, k)) * norm[k];
        }
        return new Result(per, Arrays.stream(per).sum(), naive, balanced, atoms);
    }

    /** {@code (w, b) / ||w||} with the sign making the first nonzero weight positive. */
    private static double[] orientedPlane(HostNetwork net, int k, int d, double norm) {
        double[] p = new double[d + 1];
        double sign = 0;
        for (int i = 0; i < d; i++) {
            p[i] = net.w[0][k * d + i] / norm;
            if (sign == 0 && p[i] != 0) {
                sign = Math.signum(p[i]);
            }
        }
        p[d] = net.b[0] == null ? 0 : net.b[0][k] / norm;
        for (int i = 0; i <= d; i++) {
            p[i] *= sign;
        }
        return p;
    }

    private static boolean close(double[] a, double[] b, double tolerance) {
        double scale = Math.max(1, Math.abs(a[a.length - 1]));
        for (int i = 0; i < a.length; i++) {
            if (Math.abs(a[i] - b[i]) > tolerance * (i == a.length - 1 ? scale : 1)) {
                return false;
            }
        }
        return true;
    }
}
