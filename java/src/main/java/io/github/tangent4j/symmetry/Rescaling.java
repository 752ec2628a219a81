package io.github.tangent4j.symmetry;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.ParameterLayout;
import io.github.tangent4j.tensor.Tensor;
import java.util.Objects;

/**
 * The parameter-space symmetries of a network with a positively homogeneous activation
 * ({@code phi(c z) = c phi(z)}, c &gt; 0): rescaling a hidden unit,
 * {@code W_l <- diag(lambda_l) W_l diag(lambda_{l-1})^{-1}}, {@code b_l <- lambda_l b_l} with
 * {@code lambda_0 = 1_D} and {@code lambda_L = 1_O}; permuting a hidden layer's units; and for abs, the
 * sign flip of a unit's incoming weights and bias ({@code |-z| = |z|}). With the identity activation every
 * invertible matrix {@code A}, {@code W_l <- A W_l}, {@code b_l <- A b_l}, {@code W_{l+1} <- W_{l+1} A^{-1}},
 * is a symmetry (GL(n_l) per hidden layer); only its positive diagonal part is used here.
 *
 * <p>The rescalings act on the stored parameters: the parameterization's per-layer factors commute with
 * them. Their generators span directions in which the function does not change, so they lie in the null
 * space of the parameter Jacobian, and the local functional dimension is at most {@code P - H}
 * (Grigsby, Lindsey, Meyerhoff and Wu, "Functional dimension of feedforward ReLU neural networks", 2022).
 */
public final class Rescaling {
    private Rescaling() {
    }

    /**
     * {@code mlp} with hidden unit j of hidden layer h rescaled by {@code lambda[h][j]} (all positive and
     * finite; {@code lambda[h]} has the width of hidden layer h): the same function.
     *
     * @throws IllegalArgumentException for a non-homogeneous activation, or a lambda of the wrong shape or
     *                                  not positive, naming the entry
     */
    public static Mlp apply(Mlp mlp, double[][] lambda) {
        Homogeneous.require(mlp);
        Objects.requireNonNull(lambda, "lambda");
        HostNetwork net = HostNetwork.of(mlp);
        checkOnePerHiddenLayer("lambda", lambda.length, net);
        for (int h = 0; h < lambda.length; h++) {
            if (lambda[h] == null || lambda[h].length != net.width(h)) {
                throw new IllegalArgumentException("lambda[" + h + "]: expected " + net.width(h) + " scales but got "
                        + (lambda[h] == null ? "null" : lambda[h].length));
            }
            for (int j = 0; j < lambda[h].length; j++) {
                double c = lambda[h][j];
                if (!(c > 0) || Double.isInfinite(c)) {
                    throw new IllegalArgumentException("lambda[" + h + "][" + j + "]: expected a finite number > 0"
                            + " but was " + c);
                }
                net.scaleUnit(h, j, c);
            }
        }
        return net.toMlp(mlp.dtype(), mlp.activation(), mlp.parameterization());
    }

    /**
     * {@code mlp} with the units of hidden layer h reordered: new unit i is old unit {@code order[h][i]}.
     * Any activation (permutations are symmetries of every network).
     *
     * @throws IllegalArgumentException if an order is not a permutation of the layer's units
     */
    public static Mlp permute(Mlp mlp, int[][] order) {
        Objects.requireNonNull(order, "order");
        HostNetwork net = HostNetwork.of(mlp);
        checkOnePerHiddenLayer("order", order.length, net);
        for (int h = 0; h < order.length; h++) {
            boolean[] seen = new boolean[net.width(h)];
            if (order[h] == null || order[h].length != seen.length) {
                throw new IllegalArgumentException("order[" + h + "]: expected a permutation of " + seen.length
                        + " units");
            }
            for (int j : order[h]) {
                if (j < 0 || j >= seen.length || seen[j]) {
                    throw new IllegalArgumentException("order[" + h + "]: expected a permutation of 0.."
                            + (seen.length - 1) + " but " + j + " is out of range or repeated");
                }
                seen[j] = true;
            }
            net.permute(h, order[h]);
        }
        return net.toMlp(mlp.dtype(), mlp.activation(), mlp.parameterization());
    }

    /**
     * For abs only: {@code mlp} with the incoming weights and bias of unit j of hidden layer h negated
     * (the same function, since |-z| = |z|).
     *
     * @throws IllegalArgumentException if the activation is not abs, or h or j is out of range
     */
    public static Mlp flipSign(Mlp mlp, int h, int j) {
        if (mlp.activation().kind() != Activation.Kind.ABS) {
            throw new IllegalArgumentException("activation: a sign flip is a symmetry of abs only but the network uses "
                    + mlp.activation());
        }
        HostNetwork net = HostNetwork.of(mlp);
        Objects.checkIndex(h, net.hiddenLayers());
        Objects.checkIndex(j, net.width(h));
        net.scaleIncoming(h, j, -1);
        return net.toMlp(mlp.dtype(), mlp.activation(), mlp.parameterization());
    }

    /**
     * The generators of the rescaling symmetry: row u (one per hidden unit, hidden layers in order, H rows)
     * is {@code d theta / d s} at s = 0 for the rescaling of that unit by {@code e^s}: the unit's incoming
     * weights and bias, and minus its outgoing weights, zero elsewhere. Shape (H, P) in state-dict order and
     * the network's dtype. {@code J t = 0} for every row t and every input; the rows are linearly
     * independent unless a unit has zero incoming and outgoing weights.
     *
     * @throws IllegalArgumentException for a non-homogeneous activation
     */
    public static Tensor generators(Mlp mlp) {
        Homogeneous.require(mlp);
        HostNetwork net = HostNetwork.of(mlp);
        ParameterLayout layout = ParameterLayout.of(mlp);
        Tensor t = Tensor.allocate(mlp.dtype(), mlp.hiddenUnits(), mlp.parameterCount());
        long p = mlp.parameterCount();
        long row = 0;
        for (int h = 0; h < net.hiddenLayers(); h++) {
            int in = net.in(h);
            int width = net.width(h);
            for (int j = 0; j < width; j++, row++) {
                long base = row * p;
                for (int k = 0; k < in; k++) {
                    t.setFlat(base + layout.weightOffset(h) + (long) j * in + k, net.w[h][j * in + k]);
                }
                if (net.b[h] != null) {
                    t.setFlat(base + layout.biasOffset(h) + j, net.b[h][j]);
                }
                for (int o = 0; o < net.out(h + 1); o++) {
                    t.setFlat(base + layout.weightOffset(h + 1) + (long) o * width + j, -net.w[h + 1][o * width + j]);
                }
            }
        }
        return t;
    }

    /** Refuses an argument {@code name} of {@code length} entries unless it has one per hidden layer of net. */
    private static void checkOnePerHiddenLayer(String name, int length, HostNetwork net) {
        if (length != net.hiddenLayers()) {
            throw new IllegalArgumentException(name + ": expected " + net.hiddenLayers() + " hidden layers but got "
                    + length);
        }
    }
}
