package io.github.tangent4j.nn;

import io.github.tangent4j.tensor.Tensor;

/** A plain scalar forward pass in double precision: the independent reference for the backends. */
public final class ScalarMlp {
    private ScalarMlp() {
    }

    /** f(x) for one input, computed with triple loops and {@code Activation.value}. */
    public static double[] forward(Mlp mlp, double[] x) {
        double[] h = x;
        int L = mlp.layers().size();
        for (int l = 0; l < L; l++) {
            Layer layer = mlp.layers().get(l);
            int out = (int) layer.out();
            int in = (int) layer.in();
            double a = mlp.parameterization().weightScale(in);
            double c = mlp.parameterization().biasScale();
            double[] z = new double[out];
            for (int i = 0; i < out; i++) {
                double s = 0;
                for (int j = 0; j < in; j++) {
                    s += layer.weight().get(i, j) * h[j];
                }
                z[i] = a * s + (layer.hasBias() ? c * layer.bias().get(i) : 0);
                if (l < L - 1) {
                    z[i] = mlp.activation().value(z[i]);
                }
            }
            h = z;
        }
        return h;
    }

    /**
     * Checks outputs {@code y} of {@code mlp} on inputs {@code x} against {@link #forward}, every
     * {@code rowStep}-th row, to {@code relTol} relative (absolute below 1).
     */
    public static void assertMatches(Mlp mlp, Tensor x, Tensor y, double relTol, int rowStep) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {x.dim(0), mlp.outputDim()}, y.shape(),
                "output shape");
        for (long i = 0; i < x.dim(0); i += rowStep) {
            double[] ref = forward(mlp, row(x, i));
            for (int o = 0; o < ref.length; o++) {
                org.junit.jupiter.api.Assertions.assertEquals(ref[o], y.get(i, o),
                        relTol * Math.max(1, Math.abs(ref[o])), "row " + i + " output " + o);
            }
        }
    }

    /** Row {@code i} of an (N, D) tensor. */
    public static double[] row(Tensor x, long i) {
        double[] r = new double[(int) x.dim(1)];
        for (int j = 0; j < r.length; j++) {
            r[j] = x.get(i, j);
        }
        return r;
    }
}
