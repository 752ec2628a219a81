package io.github.tangent4j.kernels;

import static io.github.tangent4j.kernels.JetBlocks.G1;
import static io.github.tangent4j.kernels.JetBlocks.G2;
import static io.github.tangent4j.kernels.JetBlocks.H0;
import static io.github.tangent4j.kernels.JetBlocks.H1;
import static io.github.tangent4j.kernels.JetBlocks.H2;
import static io.github.tangent4j.kernels.JetBlocks.M11;
import static io.github.tangent4j.kernels.JetBlocks.M12;
import static io.github.tangent4j.kernels.JetBlocks.M21;
import static io.github.tangent4j.kernels.JetBlocks.M22;
import static io.github.tangent4j.kernels.JetBlocks.V;

/**
 * The layer recursion of one pair of {@link JacobianKernel} as it was written before it became the backend
 * primitive {@link io.github.tangent4j.backend.Backend#jacobianLayers}: a test reference, independent of
 * {@link io.github.tangent4j.backend.internal.JacobianPair} and the CUDA kernel (it goes through
 * {@link DualActivation}'s partial derivatives and its generic chain rule, one method per quantity). The
 * state of one pair (x, x') through the layers: for the NNGP and the NTK, the value and its
 * derivatives in an orthonormal basis (e1, e2) of span(x, x'): {@code d/dx = G1 e1 + G2 e2},
 * {@code d/dx' = H1 e1 + H2 e2}, {@code d^2/dx dx'^T = H0 I + sum_ab Mab e_a e_b^T}, in the order of
 * {@link JetBlocks#V} ... {@link JetBlocks#M22}.
 */
final class PairReference {
    final double[] sigma = new double[10];
    final double[] theta = new double[10];
    private final double[] fp = new double[3];
    private final double[] fs = new double[4];
    private final double[] dp = new double[3];
    private final double[] ds = new double[4];
    private final double[] g = new double[2];
    private final double[] h = new double[2];
    private final double[] ns = new double[10];
    private final double[] nt = new double[10];
    private final double[] ax = new double[2];
    private final double[] bx = new double[2];

    /**
     * Layer 1 with x = (norm, 0) and x' = (alpha, beta): {@code Sigma_1 = k = c0 x.x' + B},
     * {@code d/dx = c0 x'}, {@code d/dx' = c0 x}, {@code d^2 = c0 I}; Theta_1 = Sigma_1.
     */
    void start(double k, double c0, double norm, double alpha, double beta) {
        java.util.Arrays.fill(sigma, 0);
        sigma[V] = k;
        sigma[G1] = c0 * alpha;
        sigma[G2] = c0 * beta;
        sigma[H1] = c0 * norm;
        sigma[H0] = c0;
        System.arraycopy(sigma, 0, theta, 0, 10);
    }

    /**
     * One layer, with {@code q1 = q_l(x)}, {@code q2 = q_l(x')} and their gradients dq1 (in x) and dq2
     * (in x'): the chain rule through {@code S F(q1, q2, k) + B} and {@code + S Fdot Theta}.
     */
    void step(DualActivation dual, double s, double bias, double q1, double q2, double[] dq1, double[] dq2,
            boolean ntk) {
        double[] o = sigma;
        double k = o[V];
        g[0] = o[G1];
        g[1] = o[G2];
        h[0] = o[H1];
        h[1] = o[H2];
        dual.valuePartials(q1, q2, k, fp);
        dual.valueSecondOrder(q1, q2, k, dq1, dq2, g, h, fs);
        double fk = fp[2];
        ns[V] = s * dual.value(q1, q2, k) + bias;
        for (int a = 0; a < 2; a++) {
            ns[G1 + a] = s * (fp[0] * dq1[a] + fk * g[a]);
            ns[H1 + a] = s * (fp[1] * dq2[a] + fk * h[a]);
        }
        ns[H0] = s * fk * o[H0];
        for (int m = 0; m < 4; m++) {
            ns[M11 + m] = s * (fk * o[M11 + m] + fs[m]);
        }
        if (ntk) {
            double dot = fk; // E[phi'(u) phi'(v)] = dF/dk
            dual.derivativePartials(q1, q2, k, dp);
            dual.derivativeSecondOrder(q1, q2, k, dq1, dq2, g, h, ds);
            double dk = dp[2];
            double[] t = theta;
            double tv = t[V];
            nt[V] = ns[V] + s * dot * tv;
            // ax = d Fdot / dx, bx = d Fdot / dx'
            for (int a = 0; a < 2; a++) {
                ax[a] = dp[0] * dq1[a] + dk * g[a];
                bx[a] = dp[1] * dq2[a] + dk * h[a];
                nt[G1 + a] = ns[G1 + a] + s * (ax[a] * tv + dot * t[G1 + a]);
                nt[H1 + a] = ns[H1 + a] + s * (bx[a] * tv + dot * t[H1 + a]);
            }
            nt[H0] = ns[H0] + s * (dk * o[H0] * tv + dot * t[H0]);
            for (int a = 0; a < 2; a++) {
                for (int b = 0; b < 2; b++) {
                    int m = M11 + 2 * a + b;
                    nt[m] = ns[m] + s * ((ds[2 * a + b] + dk * o[m]) * tv + ax[a] * t[H1 + b] + t[G1 + a] * bx[b]
                            + dot * t[m]);
                }
            }
            System.arraycopy(nt, 0, theta, 0, 10);
        }
        System.arraycopy(ns, 0, sigma, 0, 10);
    }
}
