package io.github.tangent4j.patterns;

import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.Tensor;

/** A per-example scalar forward pass in double that records the hidden pre-activations: the reference for patterns. */
final class ScalarPatterns {
    private ScalarPatterns() {
    }

    /** The hidden pre-activations of one input, hidden layers in order (H values). */
    static double[] preactivations(Mlp mlp, double[] x) {
        double[] out = new double[(int) mlp.hiddenUnits()];
        int at = 0;
        double[] h = x;
        for (int l = 0; l < mlp.depth(); l++) {
            Layer layer = mlp.layers().get(l);
            double a = mlp.parameterization().weightScale(layer.in());
            double c = mlp.parameterization().biasScale();
            double[] z = new double[(int) layer.out()];
            for (int i = 0; i < z.length; i++) {
                double s = 0;
                for (int j = 0; j < h.length; j++) {
                    s += layer.weight().get(i, j) * h[j];
                }
                z[i] = a * s + (layer.hasBias() ? c * layer.bias().get(i) : 0);
                out[at++] = z[i];
                z[i] = mlp.activation().value(z[i]);
            }
            h = z;
        }
        return out;
    }

    /** The pattern of one input: pre-activation strictly positive. */
    static boolean[] pattern(Mlp mlp, double[] x) {
        double[] z = preactivations(mlp, x);
        boolean[] p = new boolean[z.length];
        for (int j = 0; j < z.length; j++) {
            p[j] = z[j] > 0;
        }
        return p;
    }

    /** Row {@code i} of an (N, D) tensor. */
    static double[] row(Tensor x, long i) {
        double[] r = new double[(int) x.dim(1)];
        for (int j = 0; j < r.length; j++) {
            r[j] = x.get(i, j);
        }
        return r;
    }

    /** The smallest |pre-activation| of one input (how close it is to a region boundary). */
    static double margin(Mlp mlp, double[] x) {
        double m = Double.POSITIVE_INFINITY;
        for (double z : preactivations(mlp, x)) {
            m = Math.min(m, Math.abs(z));
        }
        return m;
    }
}
