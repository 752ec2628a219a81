package io.github.tangent4j.symmetry;

import io.github.tangent4j.nn.Activation;

/**
 * The hidden units of a network that compute a constant for every input, removed by {@link Compression}:
 * units without outgoing weights (they contribute nothing), units without incoming weights (they output
 * {@code phi(b_j)}, folded into the next layer's bias), and relu units whose incoming weights and bias are
 * all {@code <= 0} in a layer whose inputs are nonnegative (off everywhere). A layer left with no unit keeps
 * one all-zero unit.
 */
final class ConstantUnits {
    private ConstantUnits() {
    }

    /**
     * Removes hidden layer h's units with zero outgoing weights, folds those with zero incoming weights into
     * the next bias, and removes relu units off for every input (h &gt; 0); adds their numbers to
     * {@code counts[0..2]} in that order. Returns whether the layer changed.
     */
    static boolean remove(HostNetwork net, int h, Activation phi, int[] counts) {
        int n = net.width(h);
        double[] out = net.outNorms2(h);
        boolean[] keep = new boolean[n];
        boolean changed = false;
        for (int j = 0; j < n; j++) {
            keep[j] = true;
            if (n == 1 && net.inNorm2(h, j) == 0 && out[j] == 0) {
                continue;   // the one zero unit kept for an otherwise empty layer
            } else if (out[j] == 0) {
                counts[0]++;
                keep[j] = false;
            } else if (net.zeroIncomingWeights(h, j)) {
                fold(net, h, j, phi.value(net.b[h] == null ? 0 : net.b[h][j]));
                counts[1]++;
                keep[j] = false;
            } else if (phi.kind() == Activation.Kind.RELU && h > 0 && offForNonnegativeInputs(net, h, j)) {
                counts[2]++;
                keep[j] = false;
            }
            changed |= !keep[j];
        }
        if (!changed) {
            return false;
        }
        boolean any = false;
        for (boolean k : keep) {
            any |= k;
        }
        if (!any) {
            // The layer contributes only constants (already folded): keep one all-zero unit so that the
            // network still has this layer; it is removed no further.
            keep[0] = true;
            net.scaleIncoming(h, 0, 0);
            net.scaleOutgoing(h, 0, 0);
            changed = n > 1;
        }
        net.keep(h, keep);
        return changed;
    }

    /** Adds column j of layer h + 1 times {@code value} to that layer's bias (created if needed). */
    private static void fold(HostNetwork net, int h, int j, double value) {
        if (value == 0) {
            return;
        }
        int next = h + 1;
        int width = net.in(next);
        if (net.b[next] == null) {
            net.b[next] = new double[net.out(next)];
        }
        for (int o = 0; o < net.out(next); o++) {
            net.b[next][o] += net.w[next][o * width + j] * value;
        }
    }

    private static boolean offForNonnegativeInputs(HostNetwork net, int h, int j) {
        int in = net.in(h);
        for (int k = 0; k < in; k++) {
            if (net.w[h][j * in + k] > 0) {
                return false;
            }
        }
        return net.b[h] == null || net.b[h][j] <= 0;
    }
}
