package io.github.tangent4j.kernels;

import io.github.tangent4j.backend.internal.DualKernel;
import io.github.tangent4j.nn.Activation;

/**
 * The dual of {@code phi = erf}, the arcsine kernel of Williams ("Computing with Infinite Networks",
 * NIPS 1996 / Neural Computation 1998): with {@code A = 1 + 2 q1}, {@code B = 1 + 2 q2} and
 * {@code Delta = A B - 4 k^2},
 * <pre>
 *   F    = (2 / pi) arcsin(2 k / sqrt(A B))
 *   Fdot = E[erf'(u) erf'(v)] = (4 / pi) / sqrt(Delta)
 * </pre>
 * Delta is computed as {@code 1 + 2 (q1 + q2) + 4 max(q1 q2 - k^2, 0)} (at least 1, so nothing here is
 * singular) and the arcsine argument is clamped to [-1, 1]. All partial derivatives are closed forms
 * in A, B, k and Delta (derived in {@code docs/infinite-width-kernels.md}).
 */
record Arcsine() implements DualActivation {
    private static final double FOUR_OVER_PI = 4 / Math.PI;

    private static double delta(double q1, double q2, double k) {
        return 1 + 2 * (q1 + q2) + 4 * Math.max(q1 * q2 - k * k, 0);
    }

    @Override
    public double value(double q1, double q2, double k) {
        return DualKernel.value(Activation.ERF, q1, q2, k, 0);
    }

    @Override
    public double derivative(double q1, double q2, double k) {
        return DualKernel.derivative(Activation.ERF, q1, q2, k, 0);
    }

    @Override
    public double diagonalSlope(double q) {
        return FOUR_OVER_PI / ((1 + 2 * q) * Math.sqrt(1 + 4 * q));
    }

    @Override
    public void valuePartials(double q1, double q2, double k, double[] out) {
        double sd = Math.sqrt(delta(q1, q2, k));
        out[0] = -FOUR_OVER_PI * k / ((1 + 2 * q1) * sd);
        out[1] = -FOUR_OVER_PI * k / ((1 + 2 * q2) * sd);
        out[2] = FOUR_OVER_PI / sd;
    }

    @Override
    public void valueSecondOrder(double q1, double q2, double k, double[] dq1, double[] dq2, double[] g, double[] h,
            double[] out) {
        double d = delta(q1, q2, k);
        double c = FOUR_OVER_PI / (d * Math.sqrt(d)); // 4 / (pi Delta^{3/2})
        DualActivation.chainRule(c * k, -c * (1 + 2 * q2), -c * (1 + 2 * q1), 4 * c * k, dq1, dq2, g, h, out);
    }

    @Override
    public void derivativePartials(double q1, double q2, double k, double[] out) {
        double d = delta(q1, q2, k);
        double c = FOUR_OVER_PI / (d * Math.sqrt(d));
        out[0] = -c * (1 + 2 * q2);
        out[1] = -c * (1 + 2 * q1);
        out[2] = 4 * c * k;
    }

    @Override
    public void derivativeSecondOrder(double q1, double q2, double k, double[] dq1, double[] dq2, double[] g, double[] h,
            double[] out) {
        double d = delta(q1, q2, k);
        double c = FOUR_OVER_PI / (d * d * Math.sqrt(d)); // 4 / (pi Delta^{5/2})
        double aa = 1 + 2 * q1;
        double bb = 1 + 2 * q2;
        DualActivation.chainRule(c * (aa * bb + 8 * k * k), -12 * c * k * bb, -12 * c * k * aa,
                4 * c * (d + 12 * k * k), dq1, dq2, g, h, out);
    }
}
