package io.github.tangent4j.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.tangent4j.backend.java.JavaBackend;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.symmetry.RadonNorm;
import io.github.tangent4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Figure 8's fits and its reference line. */
class BalancingFigureTest {
    @Test
    void wideFitsNearlyInterpolateAndTheBoundIsTheSplinesSlopeVariation() {
        double[] xs = {-1.5, -0.5, 0, 0.7, 1.9};
        double[] ys = {1, -0.5, 0.25, 0.25, 2};
        Mlp fit = BalancingFigure.fit(512, xs, ys);
        try (JavaBackend backend = new JavaBackend()) {
            double[] f = fit.forward(backend, Tensor.of(xs.clone(), xs.length, 1)).toDoubleArray();
            for (int i = 0; i < xs.length; i++) {
                assertEquals(ys[i], f[i], 0.05, "training point " + i);
            }
        }
        // secant slopes -1.5, 1.5, 0, 1.4583...: total variation 3 + 1.5 + 1.4583...
        assertEquals(3 + 1.5 + 1.75 / 1.2, BalancingFigure.leastInterpolantRNorm(xs, ys), 1e-12);
        // the linear spline through the data as a ReLU network has exactly that R-norm
        assertEquals(BalancingFigure.leastInterpolantRNorm(xs, ys), RadonNorm.of(spline(xs, ys)).compute().total(), 1e-12);
    }

    /** f(x) = y_0 + s_0 (x - x_0) + sum_i (s_i - s_{i-1}) relu(x - x_i), written with relu units only. */
    private static Mlp spline(double[] xs, double[] ys) {
        int k = xs.length - 1;
        double[][] w = new double[k + 1][1];
        double[] b = new double[k + 1];
        double[][] v = new double[1][k + 1];
        double s0 = (ys[1] - ys[0]) / (xs[1] - xs[0]);
        // s_0 (x - x_0) = s_0 relu(x - x_0) - s_0 relu(x_0 - x): two units on the hyperplane x = x_0 (no kink)
        w[0][0] = -1;
        b[0] = xs[0];
        v[0][0] = -s0;
        double prev = s0;
        for (int i = 0; i < k; i++) {
            double s = (ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]);
            w[i + 1][0] = 1;
            b[i + 1] = -xs[i];
            v[0][i + 1] = i == 0 ? s0 : s - prev;
            prev = s;
        }
        return new Mlp(java.util.List.of(new io.github.tangent4j.nn.Layer(Tensor.of(w), Tensor.of(b, k + 1)),
                new io.github.tangent4j.nn.Layer(Tensor.of(v), Tensor.of(new double[] {ys[0]}, 1))),
                io.github.tangent4j.nn.Activation.RELU, io.github.tangent4j.nn.Parameterization.STANDARD);
    }
}
