package io.github.tangent4j.kernels;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.tensor.DType;
import java.util.List;

/**
 * Monte Carlo reference for the Jacobian kernels: for random finite networks in the NTK parameterization,
 * {@code s(x) = (f(x), df/dx_1, ..., df/dx_D)} per output (input derivatives by forward-mode tangents),
 * and the parameter gradient of every component of s, written as sums of outer products per layer:
 * for {@code z_l = a_l W_l h_{l-1} + c b_l} and {@code delta_l = df_o/dz_l},
 * {@code d f_o / dW_l = a_l delta_l (x) h_{l-1}} and
 * {@code d (df_o/dx_i) / dW_l = a_l (d_i delta_l (x) h_{l-1} + delta_l (x) d_i h_{l-1})}, with
 * {@code d_i delta_l = phi''(z_l) d_i z_l * (a W^T delta_{l+1}) + phi'(z_l) * (a W^T d_i delta_{l+1})}
 * (phi'' = 0 for the piecewise-linear activations, as at every finite width). The empirical Jacobian
 * NTK is the inner product of these gradients, averaged over a few outputs; the empirical Jacobian NNGP
 * is {@code (1/O) sum_o s_a(x)_o s_b(x')_o}. Both are (N (1+D)) x (N (1+D)) per network.
 */
final class WideNetworkJacobians {
    final WideNetworks.Estimate nngp;
    final WideNetworks.Estimate ntk;

    private WideNetworkJacobians(int size) {
        nngp = new WideNetworks.Estimate(size);
        ntk = new WideNetworks.Estimate(size);
    }

    static double secondDerivative(Activation phi, double z) {
        return phi.kind() == Activation.Kind.ERF ? -2 * z * phi.derivative(z) : 0;
    }

    static WideNetworkJacobians sample(double[][] xs, Activation phi, int depth, double sigmaW2, double sigmaB2,
            int width, int outputs, int ntkOutputs, int networks, long seed) {
        int n = xs.length;
        int d = xs[0].length;
        int b = d + 1;
        WideNetworkJacobians w = new WideNetworkJacobians(n * b);
        long[] widths = new long[depth + 2];
        widths[0] = d;
        for (int l = 1; l <= depth; l++) {
            widths[l] = width;
        }
        widths[depth + 1] = outputs;
        Parameterization p = Parameterization.ntk(Math.sqrt(sigmaW2), Math.sqrt(sigmaB2));
        int layers = depth + 1;
        for (int m = 0; m < networks; m++) {
            WideNetworks.Net net = new WideNetworks.Net(Mlp.random(seed + m, phi, p, DType.F64, widths));
            double[][][] z = new double[n][layers][];
            double[][][] h = new double[n][layers][];
            double[][][][] dz = new double[n][][][]; // d z_l / d x_a
            for (int i = 0; i < n; i++) {
                net.forward(xs[i], z[i], h[i]);
                dz[i] = tangents(net, phi, z[i], d);
            }
            // NNGP: s_a(x)_o = f_o (a = 0) or dz_L^a
            double[][] k = new double[n * b][n * b];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    for (int a = 0; a < b; a++) {
                        double[] si = a == 0 ? z[i][depth] : dz[i][a - 1][depth];
                        for (int c = 0; c < b; c++) {
                            double[] sj = c == 0 ? z[j][depth] : dz[j][c - 1][depth];
                            k[i * b + a][j * b + c] = WideNetworks.dot(si, sj) / outputs;
                        }
                    }
                }
            }
            w.nngp.add(k);
            double[][] t = new double[n * b][n * b];
            for (int o = 0; o < ntkOutputs; o++) {
                PointGradients[] grads = new PointGradients[n];
                for (int i = 0; i < n; i++) {
                    grads[i] = gradients(net, phi, xs[i], o);
                }
                for (int i = 0; i < n * b; i++) {
                    for (int j = 0; j < n * b; j++) {
                        t[i][j] += grads[i / b].dot(i % b, grads[j / b], j % b, net) / ntkOutputs;
                    }
                }
            }
            w.ntk.add(t);
        }
        return w;
    }

    /**
     * For one input and output o: {@code s = (f_o, df_o/dx_1, ..., df_o/dx_D)} and the parameter
     * gradient of each component, per layer as a list of outer-product terms {@code (u, v)} (u over the
     * layer's outputs, v over its inputs; the weight gradient is {@code a_l sum u v^T}) and the bias
     * gradient (times c).
     */
    static final class PointGradients {
        final double[] s;
        final List<double[][]>[][] terms;
        final double[][][] bias;

        PointGradients(double[] s, List<double[][]>[][] terms, double[][][] bias) {
            this.s = s;
            this.terms = terms;
            this.bias = bias;
        }

        /** {@code <d s_a / d theta, d other.s_b / d theta>}. */
        double dot(int a, PointGradients other, int b, WideNetworks.Net net) {
            double s = 0;
            for (int l = 0; l < net.w.length; l++) {
                for (double[][] u : terms[a][l]) {
                    for (double[][] v : other.terms[b][l]) {
                        s += net.a[l] * net.a[l] * WideNetworks.dot(u[0], v[0]) * WideNetworks.dot(u[1], v[1]);
                    }
                }
                s += net.c * net.c * WideNetworks.dot(bias[a][l], other.bias[b][l]);
            }
            return s;
        }
    }

    /** {@link PointGradients} of {@code net} at {@code x} for output {@code o}. */
    static PointGradients gradients(WideNetworks.Net net, Activation phi, double[] x, int o) {
        int layers = net.w.length;
        int d = x.length;
        double[][] z = new double[layers][];
        double[][] h = new double[layers][];
        net.forward(x, z, h);
        double[][][] dz = tangents(net, phi, z, d);
        double[][] delta = net.backprop(o, z);
        double[] s = new double[d + 1];
        s[0] = z[layers - 1][o];
        @SuppressWarnings({"unchecked", "rawtypes"})
        List<double[][]>[][] terms = new List[d + 1][layers];
        double[][][] bias = new double[d + 1][layers][];
        double[][][] ddelta = new double[d][][];
        for (int a = 0; a < d; a++) {
            s[1 + a] = dz[a][layers - 1][o];
            ddelta[a] = deltaDerivative(net, phi, z, dz[a], delta);
        }
        for (int l = 0; l < layers; l++) {
            double[] hin = l == 0 ? x : h[l - 1];
            terms[0][l] = List.<double[][]>of(new double[][] {delta[l], hin});
            bias[0][l] = delta[l];
            for (int a = 0; a < d; a++) {
                double[] dhin;
                if (l == 0) {
                    dhin = new double[d];
                    dhin[a] = 1;
                } else {
                    dhin = new double[net.out[l - 1]];
                    for (int r = 0; r < dhin.length; r++) {
                        dhin[r] = phi.derivative(z[l - 1][r]) * dz[a][l - 1][r];
                    }
                }
                terms[1 + a][l] = List.of(new double[][] {ddelta[a][l], hin}, new double[][] {delta[l], dhin});
                bias[1 + a][l] = ddelta[a][l];
            }
        }
        return new PointGradients(s, terms, bias);
    }

    /** {@code [a][l] = d z_l / d x_a} by forward-mode tangents, given the pre-activations z. */
    static double[][][] tangents(WideNetworks.Net net, Activation phi, double[][] z, int d) {
        int layers = net.w.length;
        double[][][] dz = new double[d][layers][];
        for (int a = 0; a < d; a++) {
            double[] prev = new double[d];
            prev[a] = 1;
            for (int l = 0; l < layers; l++) {
                double[] t = net.times(l, prev);
                dz[a][l] = t;
                double[] dh = new double[t.length];
                for (int r = 0; r < t.length; r++) {
                    dh[r] = phi.derivative(z[l][r]) * t[r];
                }
                prev = dh;
            }
        }
        return dz;
    }

    /** {@code d delta_l / d x_a} for l = 0 ... L, given {@code dz[l] = d z_l / d x_a}. */
    static double[][] deltaDerivative(WideNetworks.Net net, Activation phi, double[][] z, double[][] dz,
            double[][] delta) {
        int layers = net.w.length;
        double[][] dd = new double[layers][];
        dd[layers - 1] = new double[net.out[layers - 1]];
        for (int l = layers - 1; l > 0; l--) {
            double[] back = net.transposeTimes(l, delta[l]); // a W^T delta_{l+1}
            double[] dback = net.transposeTimes(l, dd[l]); // a W^T d delta_{l+1}
            double[] cur = new double[net.in[l]];
            for (int c = 0; c < cur.length; c++) {
                double zz = z[l - 1][c];
                cur[c] = secondDerivative(phi, zz) * dz[l - 1][c] * back[c] + phi.derivative(zz) * dback[c];
            }
            dd[l - 1] = cur;
        }
        return dd;
    }
}
