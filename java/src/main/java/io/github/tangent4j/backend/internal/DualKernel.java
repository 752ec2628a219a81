package io.github.tangent4j.backend.internal;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.tensor.DType;

/**
 * The dual of an activation phi, the scalar definition that {@link Backend#dualLayers} implements: for
 * a centred Gaussian pair {@code (u, v)} with variances q1, q2 and covariance k, the value
 * {@code F(q1, q2, k) = E[phi(u) phi(v)]} and the derivative kernel
 * {@code Fdot(q1, q2, k) = E[phi'(u) phi'(v)]} (Daniely, Frostig and Singer, "Toward Deeper
 * Understanding of Neural Networks", NeurIPS 2016).
 *
 * <p><b>Piecewise-linear phi</b> {@code = a u + (1 - a) relu(u)} (relu a = 0, leaky_relu a = slope,
 * abs a = -1, identity a = 1), through the first-order arc-cosine kernel of Cho and Saul ("Kernel
 * Methods for Deep Learning", NIPS 2009), with {@code s = sqrt(q1) sqrt(q2)}, {@code c = k / s} and
 * {@code theta = arccos(c)}:
 * <pre>
 *   F    = a k + (1 - a)^2 s (sqrt((1 - c)(1 + c)) + (pi - theta) c) / (2 pi)
 *   Fdot = a + (1 - a)^2 (pi - theta) / (2 pi)
 * </pre>
 * The cosine is clamped to [-1, 1] and snapped to +-1 within {@code snap} (the sine is computed from
 * c, so that it and theta agree and the first-order cancellation near c = 1 is exact); when
 * {@code q1 q2 = 0} (a unit that is identically 0) it is taken as 0, and every term it multiplies is 0.
 *
 * <p><b>erf</b>, the arcsine kernel of Williams ("Computing with Infinite Networks", NIPS 1996), with
 * {@code A = 1 + 2 q1}, {@code B = 1 + 2 q2}:
 * <pre>
 *   F    = (2 / pi) arcsin(2 k / sqrt(A B))                          (argument clamped to [-1, 1],
 *                                                                   computed as 2 k A^-1/2 B^-1/2)
 *   Fdot = (4 / pi) / sqrt(1 + 2 (q1 + q2) + 4 max(q1 q2 - k^2, 0))  (>= 1 under the root)
 * </pre>
 * tanh has no closed form and is refused.
 */
public final class DualKernel {
    private static final double INV_2PI = 1 / (2 * Math.PI);
    private static final double TWO_OVER_PI = 2 / Math.PI;
    private static final double FOUR_OVER_PI = 4 / Math.PI;

    private DualKernel() {
    }

    /**
     * How close to +-1 a cosine must be to count as exactly +-1 when the kernels are stored in
     * {@code dtype}: 16 units in the last place, 2^-48 (F64) or 2^-19 (F32) — angles below about 1e-7
     * (F64) or 3e-3 (F32), which inputs rounded to that dtype cannot resolve (a Gram entry from a GEMM
     * and a squared norm from a separate reduction round differently, so a duplicated input would
     * otherwise get a cosine of 1 - ulp and an angle of sqrt(ulp)).
     *
     * @throws IllegalArgumentException for a dtype other than F32 and F64
     */
    public static double snapTolerance(DType dtype) {
        return switch (dtype) {
            case F64 -> 0x1p-48;
            case F32 -> 0x1p-19;
            default -> throw new IllegalArgumentException("dtype: expected F32 or F64 but was " + dtype);
        };
    }

    /**
     * The slope {@code a} of the linear part of a piecewise-linear phi {@code = a u + (1 - a) relu(u)}.
     *
     * @throws IllegalArgumentException for erf and tanh
     */
    public static double linearPart(Activation phi) {
        return switch (phi.kind()) {
            case RELU -> 0;
            case LEAKY_RELU -> phi.slope();
            case ABS -> -1;
            case IDENTITY -> 1;
            case ERF, TANH -> throw new IllegalArgumentException("phi: expected a piecewise-linear activation but was "
                    + phi);
        };
    }

    /**
     * Checks that phi has a closed-form dual (relu, leaky_relu, abs, identity, erf).
     *
     * @throws IllegalArgumentException for tanh
     */
    public static void checkSupported(Activation phi) {
        if (phi.kind() == Activation.Kind.TANH) {
            throw new IllegalArgumentException("phi: the dual activation has a closed form for relu, leaky_relu, abs, "
                    + "erf and identity but not for tanh");
        }
    }

    /** {@code F(q1, q2, k) = E[phi(u) phi(v)]}, cosines snapped to +-1 within {@code snap}. */
    public static double value(Activation phi, double q1, double q2, double k, double snap) {
        checkSupported(phi);
        if (phi.kind() == Activation.Kind.ERF) {
            double z = k * (2 * erfScale(q1)) * erfScale(q2);
            return TWO_OVER_PI * Math.asin(Math.max(-1, Math.min(1, z)));
        }
        double a = linearPart(phi);
        double w = (1 - a) * (1 - a);
        if (w == 0) {
            return a * k;
        }
        double s = scale(q1, q2);
        double c = cosine(s, k, snap);
        double theta = Math.acos(c);
        return a * k + w * s * (Math.sqrt((1 - c) * (1 + c)) + (Math.PI - theta) * c) * INV_2PI;
    }

    /** {@code Fdot(q1, q2, k) = E[phi'(u) phi'(v)]}, cosines snapped to +-1 within {@code snap}. */
    public static double derivative(Activation phi, double q1, double q2, double k, double snap) {
        checkSupported(phi);
        if (phi.kind() == Activation.Kind.ERF) {
            return FOUR_OVER_PI / Math.sqrt(1 + 2 * (q1 + q2) + 4 * Math.max(q1 * q2 - k * k, 0));
        }
        double a = linearPart(phi);
        double w = (1 - a) * (1 - a);
        if (w == 0) {
            return a;
        }
        return a + w * (Math.PI - Math.acos(cosine(scale(q1, q2), k, snap))) * INV_2PI;
    }

    /**
     * {@code sqrt(q1 q2)}, as {@code sqrt(q1) sqrt(q2)}: no intermediate overflow or underflow, and the
     * square roots of a row's and a column's variances can be computed once.
     */
    public static double scale(double q1, double q2) {
        return Math.sqrt(q1) * Math.sqrt(q2);
    }

    /** {@code 1 / sqrt(1 + 2 q)}: the arcsine argument is {@code 2 k erfScale(q1) erfScale(q2)}. */
    public static double erfScale(double q) {
        return 1 / Math.sqrt(1 + 2 * q);
    }

    /** {@code k / s} clamped to [-1, 1] and snapped to +-1 within {@code snap}; 0 when {@code s} is not positive. */
    public static double cosine(double s, double k, double snap) {
        if (!(s > 0)) {
            return 0;
        }
        double c = k / s;
        return c >= 1 - snap ? 1 : c <= -1 + snap ? -1 : c;
    }
}
