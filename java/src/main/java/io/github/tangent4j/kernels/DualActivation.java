package io.github.tangent4j.kernels;

import io.github.tangent4j.nn.Activation;

/**
 * The dual of an activation phi: for a centred Gaussian pair {@code (u, v)} with variances q1, q2 and
 * covariance k, the value {@code F(q1, q2, k) = E[phi(u) phi(v)]} and the derivative kernel
 * {@code Fdot(q1, q2, k) = E[phi'(u) phi'(v)]} (Daniely, Frostig and Singer, "Toward Deeper
 * Understanding of Neural Networks: The Power of Initialization and a Dual View on Expressivity",
 * NeurIPS 2016). One layer of the NNGP recursion is {@code sigma_w^2 F + sigma_b^2}; one layer of the
 * NTK recursion adds {@code sigma_w^2 Fdot Theta}.
 *
 * <p>For the Jacobian kernels it also gives the partial derivatives of F and Fdot in (q1, q2, k) and
 * the second-order term that the chain rule needs (see {@link #valueSecondOrder}); the derivation is
 * in {@code docs/infinite-width-kernels.md}.
 *
 * <p>Pure functions of their arguments, safe from any thread.
 */
sealed interface DualActivation permits ArcCosine, Arcsine {

    /**
     * The dual of {@code phi}.
     *
     * @throws IllegalArgumentException for an activation without a closed form (tanh)
     */
    static DualActivation of(Activation phi) {
        return switch (phi.kind()) {
            case RELU, LEAKY_RELU, ABS, IDENTITY -> new ArcCosine(phi);
            case ERF -> new Arcsine();
            case TANH -> throw new IllegalArgumentException("activation: the infinite-width kernels have a closed "
                    + "form for relu, leaky_relu, abs, erf and identity but not for tanh");
        };
    }

    /** {@code E[phi(u) phi(v)]}. */
    double value(double q1, double q2, double k);

    /** {@code E[phi'(u) phi'(v)]}. */
    double derivative(double q1, double q2, double k);

    /** {@code d/dq value(q, q, q)}: how the variance of a layer moves with the previous one. */
    double diagonalSlope(double q);

    /**
     * The first partial derivatives of the value: {@code out = (dF/dq1, dF/dq2, dF/dk)}; {@code dF/dk}
     * equals {@link #derivative} (Price's theorem).
     */
    void valuePartials(double q1, double q2, double k, double[] out);

    /**
     * The second-order term of the mixed derivative {@code d^2 F / dx dx'^T} by the chain rule:
     * {@code F_12 dq1 dq2^T + F_1k dq1 dk'^T + F_2k dk dq2^T + F_kk dk dk'^T}, all vectors given by their
     * two coordinates in an orthonormal basis (e1, e2) of span(x, x') ({@code dq1 = dq1/dx},
     * {@code dq2 = dq2/dx'}, {@code g = dk/dx}, {@code h = dk/dx'}); {@code out} receives the 2 x 2
     * coefficient matrix row-major ({@code out[2a + b]} multiplies {@code e_a e_b^T}).
     */
    void valueSecondOrder(double q1, double q2, double k, double[] dq1, double[] dq2, double[] g, double[] h,
            double[] out);

    /**
     * The first partial derivatives of the derivative kernel as the Jacobian NTK of finite networks
     * sees them: {@code out = (dFdot/dq1, dFdot/dq2, dFdot/dk)} for a smooth phi, and zeros for a
     * piecewise-linear phi (phi'' = 0 almost everywhere at every finite width; see the class comment of
     * {@link JacobianKernel}).
     */
    void derivativePartials(double q1, double q2, double k, double[] out);

    /** {@link #valueSecondOrder} for the derivative kernel, with the same convention as {@link #derivativePartials}. */
    void derivativeSecondOrder(double q1, double q2, double k, double[] dq1, double[] dq2, double[] g, double[] h,
            double[] out);

    /**
     * The chain-rule term {@code F_12 dq1 dq2^T + F_1k dq1 h^T + F_2k g dq2^T + F_kk g h^T} in the
     * coefficients of {@link #valueSecondOrder}, from the four second partials.
     */
    static void chainRule(double f12, double f1k, double f2k, double fkk, double[] dq1, double[] dq2, double[] g,
            double[] h, double[] out) {
        for (int a = 0; a < 2; a++) {
            double left = f12 * dq1[a] + f2k * g[a];
            double right = f1k * dq1[a] + fkk * g[a];
            for (int b = 0; b < 2; b++) {
                out[2 * a + b] = left * dq2[b] + right * h[b];
            }
        }
    }
}
