package io.github.tangent4j.kernels;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.tensor.DType;

/**
 * Monte Carlo reference for the analytic kernels: random finite networks in the NTK parameterization
 * ({@link Mlp#random}), evaluated by plain scalar loops written for this test (forward pass, backprop
 * of each output to every layer's pre-activations), and the empirical kernels averaged over networks.
 *
 * <p>Per network: the empirical NNGP is {@code (1/O) sum_o f_o(x) f_o(x')} (the O outputs are
 * independent given the hidden layers); the empirical NTK of output o is the inner product of the
 * parameter gradients, {@code sum_l (delta_l(x) . delta_l(x')) (a_l^2 h_{l-1}(x) . h_{l-1}(x') + c^2)}
 * with {@code delta_l = df_o/dz_l}, which is exactly {@code <df_o/dtheta(x), df_o/dtheta(x')>} for
 * {@code dz_l/dW_l[i,j] = a_l h_{l-1}[j]}, {@code dz_l/db_l[i] = c}, averaged over the first few outputs.
 */
final class WideNetworks {
    /** Mean and standard error over networks, per entry (N x N). */
    static final class Estimate {
        final double[][] sum;
        final double[][] sumSq;
        int count;

        Estimate(int n) {
            sum = new double[n][n];
            sumSq = new double[n][n];
        }

        void add(double[][] v) {
            for (int i = 0; i < v.length; i++) {
                for (int j = 0; j < v.length; j++) {
                    sum[i][j] += v[i][j];
                    sumSq[i][j] += v[i][j] * v[i][j];
                }
            }
            count++;
        }

        double mean(int i, int j) {
            return sum[i][j] / count;
        }

        double standardError(int i, int j) {
            double m = mean(i, j);
            double var = Math.max(sumSq[i][j] / count - m * m, 0) * count / (count - 1);
            return Math.sqrt(var / count);
        }
    }

    final Estimate nngp;
    final Estimate ntk;

    private WideNetworks(int n) {
        nngp = new Estimate(n);
        ntk = new Estimate(n);
    }

    /**
     * Averages over {@code networks} random networks with {@code depth} hidden layers of {@code width}
     * units and {@code outputs} outputs (the NTK over the first {@code ntkOutputs} of them).
     */
    static WideNetworks sample(double[][] xs, Activation phi, int depth, double sigmaW2, double sigmaB2, int width,
            int outputs, int ntkOutputs, int networks, long seed) {
        WideNetworks w = new WideNetworks(xs.length);
        long[] widths = new long[depth + 2];
        widths[0] = xs[0].length;
        for (int l = 1; l <= depth; l++) {
            widths[l] = width;
        }
        widths[depth + 1] = outputs;
        Parameterization p = Parameterization.ntk(Math.sqrt(sigmaW2), Math.sqrt(sigmaB2));
        for (int m = 0; m < networks; m++) {
            Mlp mlp = Mlp.random(seed + m, phi, p, DType.F64, widths);
            Net net = new Net(mlp);
            double[][][] z = new double[xs.length][][];
            double[][][] h = new double[xs.length][][];
            for (int i = 0; i < xs.length; i++) {
                z[i] = new double[depth + 1][];
                h[i] = new double[depth + 1][];
                net.forward(xs[i], z[i], h[i]);
            }
            double[][] k = new double[xs.length][xs.length];
            for (int i = 0; i < xs.length; i++) {
                for (int j = 0; j < xs.length; j++) {
                    k[i][j] = dot(z[i][depth], z[j][depth]) / outputs;
                }
            }
            w.nngp.add(k);
            double[][] t = new double[xs.length][xs.length];
            for (int o = 0; o < ntkOutputs; o++) {
                double[][][] delta = new double[xs.length][][];
                for (int i = 0; i < xs.length; i++) {
                    delta[i] = net.backprop(o, z[i]);
                }
                for (int i = 0; i < xs.length; i++) {
                    for (int j = 0; j < xs.length; j++) {
                        double s = 0;
                        for (int l = 0; l <= depth; l++) {
                            double hh = dot(l == 0 ? xs[i] : h[i][l - 1], l == 0 ? xs[j] : h[j][l - 1]);
                            s += dot(delta[i][l], delta[j][l]) * (net.a[l] * net.a[l] * hh + net.c * net.c);
                        }
                        t[i][j] += s / ntkOutputs;
                    }
                }
            }
            w.ntk.add(t);
        }
        return w;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** A network's parameters as arrays, with a scalar forward pass and backprop. */
    static final class Net {
        final Activation phi;
        final double[][] w;
        final double[][] b;
        final int[] in;
        final int[] out;
        final double[] a;
        final double c;

        Net(Mlp mlp) {
            phi = mlp.activation();
            int layers = mlp.layers().size();
            w = new double[layers][];
            b = new double[layers][];
            in = new int[layers];
            out = new int[layers];
            a = new double[layers];
            for (int l = 0; l < layers; l++) {
                Layer layer = mlp.layers().get(l);
                w[l] = layer.weight().toDoubleArray();
                b[l] = layer.bias().toDoubleArray();
                in[l] = (int) layer.in();
                out[l] = (int) layer.out();
                a[l] = mlp.parameterization().weightScale(in[l]);
            }
            c = mlp.parameterization().biasScale();
        }

        /** {@code a_l W_l v}. */
        double[] times(int l, double[] v) {
            double[] t = new double[out[l]];
            for (int r = 0; r < out[l]; r++) {
                double s = 0;
                int row = r * in[l];
                for (int c = 0; c < in[l]; c++) {
                    s += w[l][row + c] * v[c];
                }
                t[r] = a[l] * s;
            }
            return t;
        }

        /** {@code a_l W_l^T v}. */
        double[] transposeTimes(int l, double[] v) {
            double[] t = new double[in[l]];
            for (int r = 0; r < out[l]; r++) {
                double vr = a[l] * v[r];
                if (vr == 0) {
                    continue;
                }
                int row = r * in[l];
                for (int c = 0; c < in[l]; c++) {
                    t[c] += w[l][row + c] * vr;
                }
            }
            return t;
        }

        /** Fills {@code z[l]} (pre-activations of layer l+1) and {@code h[l] = phi(z[l])}, l = 0 ... L. */
        void forward(double[] x, double[][] z, double[][] h) {
            double[] prev = x;
            for (int l = 0; l < w.length; l++) {
                double[] zl = times(l, prev);
                for (int i = 0; i < out[l]; i++) {
                    zl[i] += c * b[l][i];
                }
                double[] hl = new double[out[l]];
                for (int i = 0; i < out[l]; i++) {
                    hl[i] = phi.value(zl[i]);
                }
                z[l] = zl;
                h[l] = hl;
                prev = hl;
            }
        }

        /** {@code delta[l] = df_o / dz[l]} for l = 0 ... L. */
        double[][] backprop(int o, double[][] z) {
            int layers = w.length;
            double[][] delta = new double[layers][];
            delta[layers - 1] = new double[out[layers - 1]];
            delta[layers - 1][o] = 1;
            for (int l = layers - 1; l > 0; l--) {
                double[] d = transposeTimes(l, delta[l]);
                for (int j = 0; j < in[l]; j++) {
                    d[j] *= phi.derivative(z[l - 1][j]);
                }
                delta[l - 1] = d;
            }
            return delta;
        }
    }
}
