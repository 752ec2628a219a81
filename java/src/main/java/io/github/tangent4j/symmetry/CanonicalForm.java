package io.github.tangent4j.symmetry;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Mlp;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;

/**
 * A representative of a network's orbit under positive rescalings and permutations of hidden units
 * (and, for abs, sign flips): the {@link Balancing balanced} network, then for abs each unit's sign
 * chosen so that the first nonzero entry of its incoming weights and bias is positive, then each hidden
 * layer's units, first to last layer, sorted by their balanced norm {@code ||in||^2 = ||out||^2}
 * descending, ties broken by the incoming weights, the bias and the outgoing weights compared
 * lexicographically, and remaining exact ties (identical units) kept in their order, which cannot
 * change the parameters. Sorting a layer reorders the next layer's columns first, so the keys of the
 * next layer are in canonical coordinates.
 *
 * <p>Two networks that differ by such symmetries have the same canonical form up to the balancing
 * tolerance and rounding (the balanced point is unique: Stock et al., ICLR 2019). Units whose norms
 * agree to rounding may sort either way; random networks have none.
 */
public final class CanonicalForm {
    private CanonicalForm() {
    }

    /**
     * The canonical form of {@code mlp} (same widths, activation, parameterization and dtype).
     *
     * @throws IllegalArgumentException if the activation is not relu, leaky_relu, abs or identity
     */
    public static Mlp of(Mlp mlp) {
        Mlp balanced = Balancing.of(mlp).compute().network();
        HostNetwork net = HostNetwork.of(balanced);
        boolean abs = mlp.activation().kind() == Activation.Kind.ABS;
        for (int h = 0; h < net.hiddenLayers(); h++) {
            if (abs) {
                for (int j = 0; j < net.width(h); j++) {
                    if (firstNonZero(net, h, j) < 0) {
                        net.scaleIncoming(h, j, -1);
                    }
                }
            }
            net.permute(h, order(net, h));
        }
        return net.toMlp(mlp.dtype(), mlp.activation(), mlp.parameterization());
    }

    /**
     * Whether {@code a} and {@code b} compute the same function by the symmetries above: the same widths,
     * activation and parameterization, and canonical forms whose parameters differ by at most
     * {@code tolerance * max(1, largest absolute parameter)}.
     *
     * @throws IllegalArgumentException if tolerance is negative or NaN, or an activation is not homogeneous
     */
    public static boolean equivalent(Mlp a, Mlp b, double tolerance) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("tolerance: expected a number >= 0 but was " + tolerance);
        }
        if (!Arrays.equals(a.widths(), b.widths()) || !a.activation().equals(b.activation())
                || !a.parameterization().equals(b.parameterization())) {
            return false;
        }
        HostNetwork ca = HostNetwork.of(of(a));
        HostNetwork cb = HostNetwork.of(of(b));
        double scale = 1;
        double diff = 0;
        for (int l = 0; l < ca.layers(); l++) {
            if ((ca.b[l] == null) != (cb.b[l] == null)) {
                return false;
            }
            for (int i = 0; i < ca.w[l].length; i++) {
                scale = Math.max(scale, Math.max(Math.abs(ca.w[l][i]), Math.abs(cb.w[l][i])));
                diff = Math.max(diff, Math.abs(ca.w[l][i] - cb.w[l][i]));
            }
            if (ca.b[l] != null) {
                for (int i = 0; i < ca.b[l].length; i++) {
                    scale = Math.max(scale, Math.max(Math.abs(ca.b[l][i]), Math.abs(cb.b[l][i])));
                    diff = Math.max(diff, Math.abs(ca.b[l][i] - cb.b[l][i]));
                }
            }
        }
        return diff <= tolerance * scale;
    }

    private static double firstNonZero(HostNetwork net, int h, int j) {
        int in = net.in(h);
        for (int k = 0; k < in; k++) {
            if (net.w[h][j * in + k] != 0) {
                return net.w[h][j * in + k];
            }
        }
        return net.b[h] == null ? 0 : net.b[h][j];
    }

    /** The canonical order of hidden layer h's units. */
    private static int[] order(HostNetwork net, int h) {
        int n = net.width(h);
        double[][] keys = new double[n][];
        int in = net.in(h);
        int width = net.width(h);
        int outs = net.out(h + 1);
        for (int j = 0; j < n; j++) {
            double[] k = new double[2 + in + outs];
            k[0] = -net.inNorm2(h, j);
            System.arraycopy(net.w[h], j * in, k, 1, in);
            k[1 + in] = net.b[h] == null ? 0 : net.b[h][j];
            for (int o = 0; o < outs; o++) {
                k[2 + in + o] = net.w[h + 1][o * width + j];
            }
            keys[j] = k;
        }
        Integer[] idx = new Integer[n];
        Arrays.setAll(idx, j -> j);
        Arrays.sort(idx, Comparator.comparing(j -> keys[j], Arrays::compare));   // stable
        return Arrays.stream(idx).mapToInt(Integer::intValue).toArray();
    }
}
