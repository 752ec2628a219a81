package io.github.tangent4j.jacobian;

import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;

/**
 * The independent reference: Jacobians of one example as products of dense matrices
 * {@code a_l W_l} and {@code diag(phi'(z_l))}, in scalar double-precision code.
 */
final class ScalarJacobian {
    private ScalarJacobian() {
    }

    /** Pre-activations z_l of every layer for one input (z[L] = f(x)). */
    static double[][] preactivations(Mlp mlp, double[] x) {
        int layers = mlp.layers().size();
        double[][] z = new double[layers][];
        double[] h = x;
        for (int l = 0; l < layers; l++) {
            Layer layer = mlp.layers().get(l);
            double a = mlp.parameterization().weightScale(layer.in());
            z[l] = new double[(int) layer.out()];
            for (int i = 0; i < z[l].length; i++) {
                double s = 0;
                for (int j = 0; j < h.length; j++) {
                    s += layer.weight().get(i, j) * h[j];
                }
                z[l][i] = a * s + (layer.hasBias() ? mlp.parameterization().biasScale() * layer.bias().get(i) : 0);
            }
            if (l < layers - 1) {
                h = new double[z[l].length];
                for (int i = 0; i < h.length; i++) {
                    h[i] = mlp.activation().value(z[l][i]);
                }
            }
        }
        return z;
    }

    /** d f / d x (O x D) as the product a_L W_L D_{L-1} a_{L-1} W_{L-1} ... D_0 a_0 W_0. */
    static double[][] input(Mlp mlp, double[] x) {
        double[][] z = preactivations(mlp, x);
        double[][] j = identity(x.length);
        for (int l = 0; l < mlp.layers().size(); l++) {
            j = multiply(scaledWeight(mlp, l), j);
            if (l < mlp.depth()) {
                for (int i = 0; i < j.length; i++) {
                    double d = mlp.activation().derivative(z[l][i]);
                    for (int c = 0; c < j[i].length; c++) {
                        j[i][c] *= d;
                    }
                }
            }
        }
        return j;
    }

    /** d f / d theta (O x P) in state-dict order, from the products above the layer times its input. */
    static double[][] parameters(Mlp mlp, double[] x) {
        double[][] z = preactivations(mlp, x);
        int o = (int) mlp.outputDim();
        double[][] out = new double[o][(int) mlp.parameterCount()];
        int col = 0;
        for (int l = 0; l < mlp.layers().size(); l++) {
            Layer layer = mlp.layers().get(l);
            // G = d f / d z_l (O x out): product of the layers above and their slopes
            double[][] g = identity(o);
            for (int k = mlp.depth(); k > l; k--) {
                g = multiply(g, scaledWeight(mlp, k));
                for (int c = 0; c < g[0].length; c++) {
                    double d = mlp.activation().derivative(z[k - 1][c]);
                    for (int r = 0; r < o; r++) {
                        g[r][c] *= d;
                    }
                }
            }
            double[] h = l == 0 ? x : activated(mlp, z[l - 1]);
            double a = mlp.parameterization().weightScale(layer.in());
            for (int i = 0; i < layer.out(); i++) {
                for (int jj = 0; jj < layer.in(); jj++) {
                    for (int r = 0; r < o; r++) {
                        out[r][col] = g[r][i] * a * h[jj];
                    }
                    col++;
                }
            }
            if (layer.hasBias()) {
                for (int i = 0; i < layer.out(); i++) {
                    for (int r = 0; r < o; r++) {
                        out[r][col] = g[r][i] * mlp.parameterization().biasScale();
                    }
                    col++;
                }
            }
        }
        return out;
    }

    private static double[] activated(Mlp mlp, double[] z) {
        double[] h = new double[z.length];
        for (int i = 0; i < h.length; i++) {
            h[i] = mlp.activation().value(z[i]);
        }
        return h;
    }

    private static double[][] scaledWeight(Mlp mlp, int l) {
        Layer layer = mlp.layers().get(l);
        double a = mlp.parameterization().weightScale(layer.in());
        double[][] w = new double[(int) layer.out()][(int) layer.in()];
        for (int i = 0; i < w.length; i++) {
            for (int j = 0; j < w[i].length; j++) {
                w[i][j] = a * layer.weight().get(i, j);
            }
        }
        return w;
    }

    static double[][] identity(int n) {
        double[][] e = new double[n][n];
        for (int i = 0; i < n; i++) {
            e[i][i] = 1;
        }
        return e;
    }

    static double[][] multiply(double[][] p, double[][] q) {
        double[][] r = new double[p.length][q[0].length];
        for (int i = 0; i < p.length; i++) {
            for (int k = 0; k < q.length; k++) {
                for (int j = 0; j < q[0].length; j++) {
                    r[i][j] += p[i][k] * q[k][j];
                }
            }
        }
        return r;
    }
}
