package io.github.tangent4j.symmetry;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A mutable host copy of a network's parameters in double precision, with the unit operations that the
 * symmetry classes share: the incoming and outgoing norms of a hidden unit, rescaling, permuting and
 * removing units. Hidden layer {@code h} (0-based) is the output of layer {@code h}: its unit j has the
 * incoming row {@code w[h][j, :]} and bias {@code b[h][j]}, and the outgoing column {@code w[h+1][:, j]}.
 * Row-major (out, in) like {@link Layer}; a bias-free layer has {@code b[l] == null}.
 */
final class HostNetwork {
    final double[][] w;
    final double[][] b;
    final int[] widths;   // (D, n_1, ..., n_L, O)

    private HostNetwork(double[][] w, double[][] b, int[] widths) {
        this.w = w;
        this.b = b;
        this.widths = widths;
    }

    /** The stored parameters of {@code mlp} (not the effective ones: see {@link EffectiveNetwork}). */
    static HostNetwork of(Mlp mlp) {
        int n = mlp.layers().size();
        double[][] w = new double[n][];
        double[][] b = new double[n][];
        int[] widths = new int[n + 1];
        widths[0] = Math.toIntExact(mlp.inputDim());
        for (int l = 0; l < n; l++) {
            Layer layer = mlp.layers().get(l);
            w[l] = layer.weight().toDoubleArray();
            b[l] = layer.hasBias() ? layer.bias().toDoubleArray() : null;
            widths[l + 1] = Math.toIntExact(layer.out());
        }
        return new HostNetwork(w, b, widths);
    }

    /** A deep copy. */
    HostNetwork copy() {
        double[][] w2 = new double[w.length][];
        double[][] b2 = new double[b.length][];
        for (int l = 0; l < w.length; l++) {
            w2[l] = w[l].clone();
            b2[l] = b[l] == null ? null : b[l].clone();
        }
        return new HostNetwork(w2, b2, widths.clone());
    }

    /** Number of layers (hidden layers + 1). */
    int layers() {
        return w.length;
    }

    /** Number of hidden layers. */
    int hiddenLayers() {
        return w.length - 1;
    }

    /** Width of hidden layer {@code h}. */
    int width(int h) {
        return widths[h + 1];
    }

    /** Input width of layer {@code l}. */
    int in(int l) {
        return widths[l];
    }

    /** Output width of layer {@code l}. */
    int out(int l) {
        return widths[l + 1];
    }

    /** The squared norm of unit j's incoming weights and bias in hidden layer h. */
    double inNorm2(int h, int j) {
        double s = weightNorm2(h, j);
        if (b[h] != null) {
            s += b[h][j] * b[h][j];
        }
        return s;
    }

    /** The squared norm of unit j's incoming weights only (no bias) in hidden layer h. */
    double weightNorm2(int h, int j) {
        int in = in(h);
        double s = 0;
        for (int k = 0; k < in; k++) {
            double v = w[h][j * in + k];
            s += v * v;
        }
        return s;
    }

    /** The squared norm of unit j's outgoing weights (column j of layer h + 1). */
    double outNorm2(int h, int j) {
        int next = h + 1;
        int in = in(next);
        double s = 0;
        for (int o = 0; o < out(next); o++) {
            double v = w[next][o * in + j];
            s += v * v;
        }
        return s;
    }

    /** {@link #inNorm2} of every unit of hidden layer h, in one pass over its rows. */
    double[] inNorms2(int h) {
        double[] s = new double[width(h)];
        for (int j = 0; j < s.length; j++) {
            s[j] = inNorm2(h, j);
        }
        return s;
    }

    /** {@link #outNorm2} of every unit of hidden layer h, in one row-major pass over layer h + 1. */
    double[] outNorms2(int h) {
        int n = width(h);
        double[] s = new double[n];
        double[] next = w[h + 1];
        for (int o = 0; o < out(h + 1); o++) {
            int base = o * n;
            for (int j = 0; j < n; j++) {
                double v = next[base + j];
                s[j] += v * v;
            }
        }
        return s;
    }

    /** {@link #scaleUnit} for every unit j of hidden layer h with factor {@code c[j]}, row-major passes. */
    void scaleUnits(int h, double[] c) {
        int in = in(h);
        int n = c.length;
        for (int j = 0; j < n; j++) {
            for (int k = 0; k < in; k++) {
                w[h][j * in + k] *= c[j];
            }
            if (b[h] != null) {
                b[h][j] *= c[j];
            }
        }
        double[] next = w[h + 1];
        for (int o = 0; o < out(h + 1); o++) {
            int base = o * n;
            for (int j = 0; j < n; j++) {
                next[base + j] /= c[j];
            }
        }
    }

    /** Whether unit j of hidden layer h has no incoming weight (its bias may be nonzero). */
    boolean zeroIncomingWeights(int h, int j) {
        int in = in(h);
        for (int k = 0; k < in; k++) {
            if (w[h][j * in + k] != 0) {
                return false;
            }
        }
        return true;
    }

    /** Multiplies unit j of hidden layer h's incoming weights and bias by c and its outgoing weights by 1/c. */
    void scaleUnit(int h, int j, double c) {
        scaleIncoming(h, j, c);
        scaleOutgoing(h, j, 1 / c);
    }

    /** Multiplies unit j of hidden layer h's incoming weights and bias by c. */
    void scaleIncoming(int h, int j, double c) {
        int in = in(h);
        for (int k = 0; k < in; k++) {
            w[h][j * in + k] *= c;
        }
        if (b[h] != null) {
            b[h][j] *= c;
        }
    }

    /** Multiplies unit j of hidden layer h's outgoing weights by c. */
    void scaleOutgoing(int h, int j, double c) {
        int next = h + 1;
        int in = in(next);
        for (int o = 0; o < out(next); o++) {
            w[next][o * in + j] *= c;
        }
    }

    /** Reorders hidden layer h: new unit i is old unit {@code order[i]}. */
    void permute(int h, int[] order) {
        int in = in(h);
        double[] rows = new double[w[h].length];
        for (int i = 0; i < order.length; i++) {
            System.arraycopy(w[h], order[i] * in, rows, i * in, in);
        }
        w[h] = rows;
        if (b[h] != null) {
            double[] bias = new double[order.length];
            for (int i = 0; i < order.length; i++) {
                bias[i] = b[h][order[i]];
            }
            b[h] = bias;
        }
        int next = h + 1;
        int n = order.length;
        double[] cols = new double[w[next].length];
        for (int o = 0; o < out(next); o++) {
            for (int i = 0; i < n; i++) {
                cols[o * n + i] = w[next][o * n + order[i]];
            }
        }
        w[next] = cols;
    }

    /** Keeps the units of hidden layer h whose flag is set, in order. */
    void keep(int h, boolean[] keep) {
        int[] order = new int[width(h)];
        int n = 0;
        for (int j = 0; j < keep.length; j++) {
            if (keep[j]) {
                order[n++] = j;
            }
        }
        if (n == keep.length) {
            return;
        }
        order = Arrays.copyOf(order, n);
        int in = in(h);
        int next = h + 1;
        int oldWidth = width(h);
        double[] rows = new double[n * in];
        for (int i = 0; i < n; i++) {
            System.arraycopy(w[h], order[i] * in, rows, i * in, in);
        }
        w[h] = rows;
        if (b[h] != null) {
            double[] bias = new double[n];
            for (int i = 0; i < n; i++) {
                bias[i] = b[h][order[i]];
            }
            b[h] = bias;
        }
        double[] cols = new double[out(next) * n];
        for (int o = 0; o < out(next); o++) {
            for (int i = 0; i < n; i++) {
                cols[o * n + i] = w[next][o * oldWidth + order[i]];
            }
        }
        w[next] = cols;
        widths[h + 1] = n;
    }

    /**
     * The network with its first two layers replaced by their composition {@code W_2 W_1},
     * {@code W_2 b_1 + b_2}: equal only when the first hidden layer's activation is the identity.
     */
    HostNetwork mergeFirstTwoLayers() {
        int d = in(0);
        int mid = out(0);
        int o = out(1);
        double[] w12 = new double[o * d];
        for (int r = 0; r < o; r++) {
            for (int m = 0; m < mid; m++) {
                double a = w[1][r * mid + m];
                for (int c = 0; c < d; c++) {
                    w12[r * d + c] += a * w[0][m * d + c];
                }
            }
        }
        double[] b12 = null;
        if (b[0] != null || b[1] != null) {
            b12 = b[1] == null ? new double[o] : b[1].clone();
            if (b[0] != null) {
                for (int r = 0; r < o; r++) {
                    for (int m = 0; m < mid; m++) {
                        b12[r] += w[1][r * mid + m] * b[0][m];
                    }
                }
            }
        }
        int n = layers() - 1;
        double[][] w2 = new double[n][];
        double[][] b2 = new double[n][];
        w2[0] = w12;
        b2[0] = b12;
        for (int l = 1; l < n; l++) {
            w2[l] = w[l + 1];
            b2[l] = b[l + 1];
        }
        int[] widths2 = new int[n + 1];
        widths2[0] = d;
        System.arraycopy(widths, 2, widths2, 1, n);
        return new HostNetwork(w2, b2, widths2);
    }

    /** The weight decay {@code sum_l ||W_l||_F^2 + sum over hidden layers ||b_l||^2} (the output bias left out). */
    double weightDecay() {
        double s = 0;
        for (int l = 0; l < w.length; l++) {
            for (double v : w[l]) {
                s += v * v;
            }
            if (l < hiddenLayers() && b[l] != null) {
                for (double v : b[l]) {
                    s += v * v;
                }
            }
        }
        return s;
    }

    /** The parameters as a network of {@code dtype}. */
    Mlp toMlp(DType dtype, Activation activation, Parameterization parameterization) {
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < w.length; l++) {
            Tensor wt = Tensor.allocate(dtype, out(l), in(l));
            for (int i = 0; i < w[l].length; i++) {
                wt.setFlat(i, w[l][i]);
            }
            Tensor bt = null;
            if (b[l] != null) {
                bt = Tensor.allocate(dtype, out(l));
                for (int i = 0; i < b[l].length; i++) {
                    bt.setFlat(i, b[l][i]);
                }
            }
            layers.add(new Layer(wt, bt));
        }
        return new Mlp(layers, activation, parameterization);
    }
}
