package io.github.tangent4j.kernels;

import io.github.tangent4j.backend.internal.DualKernel;
import io.github.tangent4j.nn.Activation;

/**
 * The dual of the piecewise-linear activations {@code phi(u) = a u + (1 - a) relu(u)}: ReLU (a = 0),
 * leaky ReLU (a = slope), abs (a = -1) and identity (a = 1), through the first-order arc-cosine kernel
 * of Cho and Saul ("Kernel Methods for Deep Learning", NIPS 2009):
 * {@code E[relu(u) relu(v)] = J = (R + (pi - theta) k) / (2 pi)} with {@code R = sqrt(q1 q2 - k^2)} and
 * {@code theta = arccos(k / sqrt(q1 q2))}, {@code E[relu'(u) relu'(v)] = (pi - theta) / (2 pi)}, so
 * <pre>
 *   F    = a k + (1 - a)^2 J
 *   Fdot = a + (1 - a)^2 (pi - theta) / (2 pi)
 * </pre>
 * (the cross terms are {@code E[u relu(v)] = k / 2}).
 *
 * <p><b>Numerics.</b> The cosine c is computed as {@code k / (sqrt(q1) sqrt(q2))} clamped to [-1, 1]
 * and snapped to +-1 within 4 ulps (angles below 4e-8, which the rounding of the inputs' Gram entries
 * cannot resolve; a pair with {@code k == q1 == q2} is exactly 1); everything else from c alone:
 * {@code J = sqrt(q1 q2) (sqrt((1 - c)(1 + c)) + (pi - theta) c) / (2 pi)}, {@code R = sqrt(q1 q2) sin(theta)},
 * so that the first-order cancellation of R against {@code theta k} near c = 1 is exact (computing R as
 * {@code sqrt(q1 q2 - k^2)} instead leaves errors of order sqrt(ulp)). When
 * {@code q1 q2 = 0} (a zero input without biases: the unit is identically 0) the cosine is taken as 0;
 * every kernel value it multiplies is then 0 as well. Near-duplicate inputs lose digits through acos
 * (theta ~ sqrt(2 (1 - c)): about 1e-8 absolute in theta at rounding-level differences). F and Fdot
 * themselves are {@link DualKernel}'s, the scalar definition of the backends' {@code dualLayers}.
 */
record ArcCosine(Activation phi) implements DualActivation {
    private static final double INV_4PI = 1 / (4 * Math.PI);
    private static final double INV_8PI = 1 / (8 * Math.PI);
    /** Cosines within 4 ulps of +-1 are +-1 (angles below 4e-8, which inputs cannot resolve). */
    private static final double SNAP = 0x1p-50;

    /** The slope a of the linear part. */
    private double a() {
        return DualKernel.linearPart(phi);
    }

    private double relu() {
        return (1 - a()) * (1 - a());
    }

    private static double scale(double q1, double q2) {
        return DualKernel.scale(q1, q2);
    }

    private static double cosine(double q1, double q2, double k) {
        return DualKernel.cosine(scale(q1, q2), k, SNAP);
    }

    /** {@code R = sqrt(q1 q2) sin(theta)}, from the clamped cosine so that R and theta agree. */
    private static double sine(double q1, double q2, double k) {
        double c = cosine(q1, q2, k);
        return scale(q1, q2) * Math.sqrt((1 - c) * (1 + c));
    }

    @Override
    public double value(double q1, double q2, double k) {
        return DualKernel.value(phi, q1, q2, k, SNAP);
    }

    @Override
    public double derivative(double q1, double q2, double k) {
        return DualKernel.derivative(phi, q1, q2, k, SNAP);
    }

    @Override
    public double diagonalSlope(double q) {
        return a() + relu() / 2;
    }

    @Override
    public void valuePartials(double q1, double q2, double k, double[] out) {
        double w = relu();
        double r = w == 0 ? 0 : sine(q1, q2, k);
        out[0] = q1 > 0 ? w * r * INV_4PI / q1 : 0;
        out[1] = q2 > 0 ? w * r * INV_4PI / q2 : 0;
        out[2] = derivative(q1, q2, k);
    }

    /**
     * The chain-rule term in a form without cancellation: with {@code u = 2 dk - (k / q1) dq1} and
     * {@code v = 2 dk' - (k / q2) dq2}, it is {@code (1 - a)^2 [u v^T / (8 pi R) + R dq1 dq2^T / (8 pi q1 q2)]}
     * (the four second partials of J each diverge like 1/R, their sum does not: u and v are
     * {@code 2 sqrt(q1 q2)} times the gradients of the cosine, which vanish where it reaches +-1). At
     * {@code R = 0} (x = x', or collinear inputs without biases) the term is its limit, 0.
     */
    @Override
    public void valueSecondOrder(double q1, double q2, double k, double[] dq1, double[] dq2, double[] g, double[] h,
            double[] out) {
        double w = relu();
        double r = sine(q1, q2, k);
        if (w == 0 || !(r > 0) || !(q1 > 0) || !(q2 > 0)) {
            java.util.Arrays.fill(out, 0, 4, 0);
            return;
        }
        double c = w * INV_8PI / r;
        double e = w * INV_8PI * (r / q1 / q2);
        for (int a = 0; a < 2; a++) {
            double u = 2 * g[a] - k / q1 * dq1[a];
            for (int b = 0; b < 2; b++) {
                double v = 2 * h[b] - k / q2 * dq2[b];
                out[2 * a + b] = c * u * v + e * dq1[a] * dq2[b];
            }
        }
    }

    @Override
    public void derivativePartials(double q1, double q2, double k, double[] out) {
        java.util.Arrays.fill(out, 0, 3, 0);
    }

    @Override
    public void derivativeSecondOrder(double q1, double q2, double k, double[] dq1, double[] dq2, double[] g,
            double[] h, double[] out) {
        java.util.Arrays.fill(out, 0, 4, 0);
    }
}
