package io.github.tangent4j.backend.internal;

import io.github.tangent4j.nn.Activation;

/**
 * One pair's layer recursion of the Jacobian kernels, the scalar definition that
 * {@link io.github.tangent4j.backend.Backend#jacobianLayers} implements (and that native/kernels restates
 * in C): the NNGP {@code Sigma} and NTK {@code Theta} of (x, x') with their first and mixed second
 * derivatives, kept as 10 coefficients in an orthonormal basis (e1, e2) of span(x, x') (Kim and Yang,
 * "An Infinite-Width Analysis on the Jacobian-Regularised Training of a Neural Network", arXiv
 * 2312.03386; the derivation is in docs/infinite-width-kernels.md):
 * {@code [V, G1, G2, H1, H2, H0, M11, M12, M21, M22]} for {@code value}, {@code d/dx = G1 e1 + G2 e2},
 * {@code d/dx' = H1 e1 + H2 e2}, {@code d^2/dx dx'^T = H0 I + sum_ab Mab e_a e_b^T}.
 *
 * <p>A layer is the chain rule through {@code S F(q1, q2, k) + B} (and {@code + S Fdot Theta} for the
 * NTK) with F, Fdot the duals of {@link DualKernel} (cosines snapped within {@link #SNAP}); every partial
 * derivative of F and Fdot is computed once per layer from one cosine (arc-cosine family) or one
 * {@code Delta} (erf). For the piecewise-linear activations the derivative kernel's own derivatives are 0
 * (phi'' = 0 at every finite width), and the ReLU family's second-order term is written without the
 * 1/R cancellation of its four partials: with {@code u = 2 dk - (k / q1) dq1} and
 * {@code v = 2 dk' - (k / q2) dq2}, it is {@code (1 - a)^2 [u v^T / (8 pi R) + R dq1 dq2^T / (8 pi q1 q2)]},
 * and 0 at R = 0.
 *
 * <p>Allocation-free: the state lives in a caller's {@code double[20]} (Sigma's 10 coefficients, then
 * Theta's).
 */
public final class JacobianPair {
    /** Coefficients per kernel and pair. */
    public static final int COEFFICIENTS = 10;
    /** Cosines within this of +-1 are +-1 (4 ulps: angles below 4e-8, which inputs cannot resolve). */
    public static final double SNAP = 0x1p-50;

    private static final double INV_2PI = 1 / (2 * Math.PI);
    private static final double INV_4PI = 1 / (4 * Math.PI);
    private static final double INV_8PI = 1 / (8 * Math.PI);
    private static final double TWO_OVER_PI = 2 / Math.PI;
    private static final double FOUR_OVER_PI = 4 / Math.PI;

    private final boolean erf;
    private final double a;
    private final double w;
    private final double sw;
    private final double sb;

    /** The recursion for phi (relu, leaky_relu, abs, identity or erf) with variances sigmaW2, sigmaB2. */
    public JacobianPair(Activation phi, double sigmaW2, double sigmaB2) {
        DualKernel.checkSupported(phi);
        this.erf = phi.kind() == Activation.Kind.ERF;
        this.a = erf ? 0 : DualKernel.linearPart(phi);
        this.w = (1 - a) * (1 - a);
        this.sw = sigmaW2;
        this.sb = sigmaB2;
    }

    /**
     * Layer 1 of the pair x = (norm, 0), x' = (alpha, beta) in the basis: {@code Sigma_1 = k1 = c0 x.x' + B},
     * {@code d/dx = c0 x'}, {@code d/dx' = c0 x}, {@code d^2 = c0 I}; Theta_1 = Sigma_1.
     */
    public static void start(double k1, double c0, double norm, double alpha, double beta, double[] st) {
        java.util.Arrays.fill(st, 0, 2 * COEFFICIENTS, 0);
        st[0] = k1;
        st[1] = c0 * alpha;
        st[2] = c0 * beta;
        st[3] = c0 * norm;
        st[5] = c0;
        System.arraycopy(st, 0, st, COEFFICIENTS, COEFFICIENTS);
    }

    /**
     * One layer on the state {@code st}, with {@code q1 = q_l(x)}, {@code q2 = q_l(x')}, the gradient
     * {@code dq1/dx = (d1, 0)} and {@code dq2/dx' = (d2a, d2b)} in the basis; Theta only when {@code ntk}.
     */
    public void step(double q1, double q2, double d1, double d2a, double d2b, double[] st, boolean ntk) {
        double k = st[0];
        double g1 = st[1];
        double g2 = st[2];
        double h1 = st[3];
        double h2 = st[4];
        double f;
        double fq1;
        double fq2;
        double fk;
        double s11;
        double s12;
        double s21;
        double s22;
        double dq1 = 0;
        double dq2 = 0;
        double dk = 0;
        double t11 = 0;
        double t12 = 0;
        double t21 = 0;
        double t22 = 0;
        if (erf) {
            double aa = 1 + 2 * q1;
            double bb = 1 + 2 * q2;
            double z = k * (2 / Math.sqrt(aa)) * (1 / Math.sqrt(bb));
            f = TWO_OVER_PI * Math.asin(Math.max(-1, Math.min(1, z)));
            double delta = 1 + 2 * (q1 + q2) + 4 * Math.max(q1 * q2 - k * k, 0);
            double sd = Math.sqrt(delta);
            fk = FOUR_OVER_PI / sd;
            fq1 = -fk * k / aa;
            fq2 = -fk * k / bb;
            double c3 = fk / delta; // 4 / (pi Delta^{3/2})
            // F's second partials (F_12, F_1k, F_2k, F_kk) by the chain rule
            double l1 = c3 * k * d1 - c3 * aa * g1;
            double l2 = -c3 * aa * g2;
            double r1 = -c3 * bb * d1 + 4 * c3 * k * g1;
            double r2 = 4 * c3 * k * g2;
            s11 = l1 * d2a + r1 * h1;
            s12 = l1 * d2b + r1 * h2;
            s21 = l2 * d2a + r2 * h1;
            s22 = l2 * d2b + r2 * h2;
            if (ntk) {
                dq1 = -c3 * bb;
                dq2 = -c3 * aa;
                dk = 4 * c3 * k;
                double c5 = c3 / delta; // 4 / (pi Delta^{5/2})
                double f12 = c5 * (aa * bb + 8 * k * k);
                double f1k = -12 * c5 * k * bb;
                double f2k = -12 * c5 * k * aa;
                double fkk = 4 * c5 * (delta + 12 * k * k);
                double m1 = f12 * d1 + f2k * g1;
                double m2 = f2k * g2;
                double n1 = f1k * d1 + fkk * g1;
                double n2 = fkk * g2;
                t11 = m1 * d2a + n1 * h1;
                t12 = m1 * d2b + n1 * h2;
                t21 = m2 * d2a + n2 * h1;
                t22 = m2 * d2b + n2 * h2;
            }
        } else if (w == 0) {
            f = a * k;
            fk = a;
            fq1 = 0;
            fq2 = 0;
            s11 = 0;
            s12 = 0;
            s21 = 0;
            s22 = 0;
        } else {
            double s = DualKernel.scale(q1, q2);
            double c = DualKernel.cosine(s, k, SNAP);
            double rest = Math.PI - Math.acos(c);
            double sine = Math.sqrt((1 - c) * (1 + c));
            double r = s * sine;
            f = a * k + w * s * (sine + rest * c) * INV_2PI;
            fk = a + w * rest * INV_2PI;
            fq1 = q1 > 0 ? w * r * INV_4PI / q1 : 0;
            fq2 = q2 > 0 ? w * r * INV_4PI / q2 : 0;
            if (r > 0 && q1 > 0 && q2 > 0) {
                double cc = w * INV_8PI / r;
                double e = w * INV_8PI * (r / q1 / q2);
                double u1 = 2 * g1 - k / q1 * d1;
                double u2 = 2 * g2;
                double v1 = 2 * h1 - k / q2 * d2a;
                double v2 = 2 * h2 - k / q2 * d2b;
                s11 = cc * u1 * v1 + e * d1 * d2a;
                s12 = cc * u1 * v2 + e * d1 * d2b;
                s21 = cc * u2 * v1;
                s22 = cc * u2 * v2;
            } else {
                s11 = 0;
                s12 = 0;
                s21 = 0;
                s22 = 0;
            }
        }
        double oh0 = st[5];
        double o11 = st[6];
        double o12 = st[7];
        double o21 = st[8];
        double o22 = st[9];
        double nv = sw * f + sb;
        double ng1 = sw * (fq1 * d1 + fk * g1);
        double ng2 = sw * (fk * g2);
        double nh1 = sw * (fq2 * d2a + fk * h1);
        double nh2 = sw * (fq2 * d2b + fk * h2);
        double nh0 = sw * fk * oh0;
        double n11 = sw * (fk * o11 + s11);
        double n12 = sw * (fk * o12 + s12);
        double n21 = sw * (fk * o21 + s21);
        double n22 = sw * (fk * o22 + s22);
        if (ntk) {
            int t = COEFFICIENTS;
            double tv = st[t];
            double dot = fk;
            double ax1 = dq1 * d1 + dk * g1;
            double ax2 = dk * g2;
            double bx1 = dq2 * d2a + dk * h1;
            double bx2 = dq2 * d2b + dk * h2;
            double tg1 = st[t + 1];
            double tg2 = st[t + 2];
            double th1 = st[t + 3];
            double th2 = st[t + 4];
            st[t] = nv + sw * dot * tv;
            st[t + 1] = ng1 + sw * (ax1 * tv + dot * tg1);
            st[t + 2] = ng2 + sw * (ax2 * tv + dot * tg2);
            st[t + 3] = nh1 + sw * (bx1 * tv + dot * th1);
            st[t + 4] = nh2 + sw * (bx2 * tv + dot * th2);
            st[t + 5] = nh0 + sw * (dk * oh0 * tv + dot * st[t + 5]);
            st[t + 6] = n11 + sw * ((t11 + dk * o11) * tv + ax1 * th1 + tg1 * bx1 + dot * st[t + 6]);
            st[t + 7] = n12 + sw * ((t12 + dk * o12) * tv + ax1 * th2 + tg1 * bx2 + dot * st[t + 7]);
            st[t + 8] = n21 + sw * ((t21 + dk * o21) * tv + ax2 * th1 + tg2 * bx1 + dot * st[t + 8]);
            st[t + 9] = n22 + sw * ((t22 + dk * o22) * tv + ax2 * th2 + tg2 * bx2 + dot * st[t + 9]);
        }
        st[0] = nv;
        st[1] = ng1;
        st[2] = ng2;
        st[3] = nh1;
        st[4] = nh2;
        st[5] = nh0;
        st[6] = n11;
        st[7] = n12;
        st[8] = n21;
        st[9] = n22;
    }
}
