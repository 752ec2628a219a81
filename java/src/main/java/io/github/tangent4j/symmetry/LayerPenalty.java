package io.github.tangent4j.symmetry;

import io.github.tangent4j.linalg.SingularValues;
import io.github.tangent4j.nn.Mlp;
import java.util.ArrayList;
import java.util.List;

/**
 * For a deep network with a positively homogeneous activation: the layer penalty of Parhi and Nowak,
 * "What kinds of functions do deep neural networks learn? Insights from variational spline theory"
 * (arXiv 2105.03361), {@code sum_l sum_k ||v_k|| ||w_k||} over the hidden units k of every hidden layer,
 * with {@code w_k} the unit's incoming weights and {@code v_k} its outgoing weights, evaluated on the
 * {@link Balancing balanced} network of effective weights ({@link EffectiveNetwork}); and each weight
 * matrix's singular values and numerical rank (their solutions have weight matrices of bounded rank). The
 * numerical rank counts the singular values above {@code max(m, n) * eps * sigma_max}, NumPy's
 * {@code matrix_rank} tolerance, with eps the machine epsilon of double precision.
 */
public final class LayerPenalty {
    /**
     * The penalty and the spectra.
     *
     * @param perLayer       {@code sum_k ||v_k|| ||w_k||} per hidden layer
     * @param total          their sum
     * @param singularValues per layer (hidden layers and the output layer), descending
     * @param ranks          the numerical rank of each weight matrix
     */
    public record Result(double[] perLayer, double total, List<double[]> singularValues, int[] ranks) {
    }

    private final Mlp mlp;

    private LayerPenalty(Mlp mlp) {
        this.mlp = mlp;
    }

    /**
     * The layer penalty and spectra of {@code mlp}.
     *
     * @throws IllegalArgumentException if the activation is not relu, leaky_relu, abs or identity
     */
    public static LayerPenalty of(Mlp mlp) {
        Homogeneous.require(mlp);
        return new LayerPenalty(mlp);
    }

    /** Balances the network and computes the penalty and the spectra. */
    public Result compute() {
        HostNetwork net = HostNetwork.of(Balancing.of(EffectiveNetwork.of(mlp)).compute().network());
        double[] per = new double[net.hiddenLayers()];
        double total = 0;
        for (int h = 0; h < per.length; h++) {
            for (int k = 0; k < net.width(h); k++) {
                per[h] += Math.sqrt(net.weightNorm2(h, k) * net.outNorm2(h, k));
            }
            total += per[h];
        }
        List<double[]> spectra = new ArrayList<>();
        int[] ranks = new int[net.layers()];
        for (int l = 0; l < net.layers(); l++) {
            double[] s = SingularValues.of(net.w[l], net.out(l), net.in(l));
            spectra.add(s);
            double tol = s.length == 0 ? 0 : Math.max(net.out(l), net.in(l)) * Math.ulp(1.0) * s[0];
            for (double v : s) {
                ranks[l] += v > tol ? 1 : 0;
            }
        }
        return new Result(per, total, spectra, ranks);
    }
}
