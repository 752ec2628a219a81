package io.github.tangent4j.backend.java;

import io.github.tangent4j.backend.internal.DualKernel;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The row loops of {@link JavaDualLayers} on the Vector API, computing the formulas of
 * {@link io.github.tangent4j.backend.internal.DualKernel} in the same order: in double for F64 kernels (arccos and
 * arcsin by one polynomial, see {@link #layer}), in float for F32 kernels. Each method starts at
 * {@code from}, updates whole vectors and returns the first index it did not update: the end of the last
 * whole vector, or a vector it declines (an arc-cosine vector whose scales sqrt(q1) sqrt(q2) are not all
 * normal finite numbers), which the caller finishes with the scalar code.
 * Only loaded when {@link Vectorization#ENABLED}.
 */
final class VectorDualLayer {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = S.length();
    private static final int FLOAT_LANES = FS.length();
    private static final double INV_2PI = 1 / (2 * Math.PI);
    private static final double TWO_OVER_PI = 2 / Math.PI;
    private static final double FOUR_OVER_PI = 4 / Math.PI;

    private VectorDualLayer() {
    }

    /** The end of the vector starting at {@code j} (double or float lanes). */
    static int nextVector(int j, boolean f32) {
        return j + (f32 ? FLOAT_LANES : LANES);
    }

    /**
     * One F64 layer. {@code erf} selects the arcsine kernel of erf, else the arc-cosine kernel of the
     * piecewise-linear phi {@code a u + (1 - a) relu(u)} with {@code w = (1 - a)^2 > 0}. The cosine is
     * {@code k rowScale colScales[j]}: for the arc-cosine kernel {@code rowScale = 1 / sqrt(q1)} and
     * colScales the columns' {@code 1 / sqrt(q2)}, with {@code roots2} the columns' {@code sqrt(q2)} (a few
     * ulps from the scalar {@code k / (sqrt(q1) sqrt(q2))}, without a division); for erf
     * {@code rowScale = 2 / sqrt(1 + 2 q1)} and colScales the columns' {@code 1 / sqrt(1 + 2 q2)}, with
     * {@code q2} the columns' variances. Cosines within {@code snap} of +-1 (erf: 0) are +-1.
     *
     * <p>{@code arccos t} for {@code t = |cos|} in [0, 1] is {@code sqrt(1 - t) g(2t - 1)}, with g the
     * degree-18 polynomial interpolating {@code arccos(t) / sqrt(1 - t)} at the Chebyshev points (the
     * quotient is analytic on [0, 1] with its nearest singularity at t = -1, so its Chebyshev coefficients
     * fall by a factor 5.8 per degree). Its relative error is under 3e-16 against 60-digit arithmetic
     * ({@code docs/tools/arccos_fit.py} derives the coefficients and measures it), and it is exactly 0 at
     * t = 1. One square root and 18 fused multiply-adds: faster in this loop than the JDK's vectorised ACOS
     * and ASIN. Then {@code pi - arccos(c)} is {@code pi - arccos|c|} for c >= 0, else {@code arccos|c|},
     * and {@code (2 / pi) arcsin z = sign(z) (1 - (2 / pi) arccos|z|)}: within 3e-16 absolute of the scalar
     * arcsine (not relative; near z = 0 that is what the Gram matrix's own rounding already carries). Both
     * kernels share the loop so that the polynomial is written once: C2 declines to inline a helper method
     * of its size, and the Vector API is only fast where everything is inlined.
     */
    static int layer(boolean erf, double a, double w, double sw, double sb, double snap, double q1, double root1,
            double rowScale, double[] q2, double[] roots2, double[] colScales, double[] k, double[] theta, int from,
            int n) {
        int j = from;
        for (; j + LANES <= n; j += LANES) {
            DoubleVector kv = DoubleVector.fromArray(S, k, j);
            DoubleVector s = null;
            if (!erf) {
                s = DoubleVector.fromArray(S, roots2, j).mul(root1);
                VectorMask<Double> normal = s.compare(VectorOperators.GE, Double.MIN_NORMAL)
                        .and(s.compare(VectorOperators.LT, Double.POSITIVE_INFINITY));
                if (!normal.allTrue()) {
                    return j;
                }
            }
            DoubleVector c = kv.mul(rowScale).mul(DoubleVector.fromArray(S, colScales, j));
            c = c.blend(1.0, c.compare(VectorOperators.GE, 1 - snap)).blend(-1.0, c.compare(VectorOperators.LE, -1 + snap));
            DoubleVector t = c.abs();
            DoubleVector u = t.add(t).sub(1.0);
            DoubleVector half = DoubleVector.broadcast(S, 1.8301166660387483e-11)
                    .fma(u, DoubleVector.broadcast(S, -5.95055720852942e-11))
                    .fma(u, DoubleVector.broadcast(S, 1.0744638228659012e-10))
                    .fma(u, DoubleVector.broadcast(S, -3.555938648200568e-10))
                    .fma(u, DoubleVector.broadcast(S, 1.3586330259282336e-09))
                    .fma(u, DoubleVector.broadcast(S, -4.543226886430638e-09))
                    .fma(u, DoubleVector.broadcast(S, 1.5131804766903207e-08))
                    .fma(u, DoubleVector.broadcast(S, -5.1570659071542255e-08))
                    .fma(u, DoubleVector.broadcast(S, 1.7797338327760117e-07))
                    .fma(u, DoubleVector.broadcast(S, -6.225475446758364e-07))
                    .fma(u, DoubleVector.broadcast(S, 2.216019758302968e-06))
                    .fma(u, DoubleVector.broadcast(S, -8.063536126055667e-06))
                    .fma(u, DoubleVector.broadcast(S, 3.018716999184834e-05))
                    .fma(u, DoubleVector.broadcast(S, -0.0001174125045895998))
                    .fma(u, DoubleVector.broadcast(S, 0.0004820541005764209))
                    .fma(u, DoubleVector.broadcast(S, -0.002149135858989634))
                    .fma(u, DoubleVector.broadcast(S, 0.011029313317978552))
                    .fma(u, DoubleVector.broadcast(S, -0.0760160912346654))
                    .fma(u, DoubleVector.broadcast(S, 1.480960979386122))
                    .mul(t.neg().add(1.0).sqrt()); // arccos |c|
            VectorMask<Double> negative = c.compare(VectorOperators.LT, 0.0);
            DoubleVector next;
            DoubleVector dot;
            if (erf) {
                DoubleVector v = half.mul(-TWO_OVER_PI).add(1.0);
                next = v.blend(v.neg(), negative).mul(sw).add(sb);
                DoubleVector qv = DoubleVector.fromArray(S, q2, j);
                DoubleVector det = DoubleVector.broadcast(S, 1).add(qv.add(q1).mul(2))
                        .add(qv.mul(q1).sub(kv.mul(kv)).max(0.0).mul(4));
                dot = DoubleVector.broadcast(S, FOUR_OVER_PI).div(det.sqrt());
            } else {
                DoubleVector rest = half.neg().add(Math.PI).blend(half, negative); // pi - theta
                DoubleVector sine = c.neg().add(1).mul(c.add(1)).sqrt();
                next = kv.mul(a).add(s.mul(w).mul(sine.add(rest.mul(c))).mul(INV_2PI)).mul(sw).add(sb);
                dot = rest.mul(w).mul(INV_2PI).add(a);
            }
            if (theta != null) {
                next.add(dot.mul(sw).mul(DoubleVector.fromArray(S, theta, j))).intoArray(theta, j);
            }
            next.intoArray(k, j);
        }
        return j;
    }

    /**
     * {@link #arcCosine} for F32 kernels, in float arithmetic on twice the lanes: the cosine's rounding
     * (a few float ulps) is what the F32 storage of k already carries, and cosines within the F32 snap
     * tolerance of +-1 are +-1.
     */
    static int arcCosine(float a, float w, float sw, float sb, float snap, float root1, float[] roots2, float[] k,
            float[] theta, int from, int n) {
        float inv2pi = (float) INV_2PI;
        int j = from;
        for (; j + FLOAT_LANES <= n; j += FLOAT_LANES) {
            FloatVector kv = FloatVector.fromArray(FS, k, j);
            FloatVector s = FloatVector.fromArray(FS, roots2, j).mul(root1);
            VectorMask<Float> normal = s.compare(VectorOperators.GE, Float.MIN_NORMAL)
                    .and(s.compare(VectorOperators.LT, Float.POSITIVE_INFINITY));
            if (!normal.allTrue()) {
                return j;
            }
            FloatVector c = kv.div(s);
            c = c.blend(1f, c.compare(VectorOperators.GE, 1 - snap)).blend(-1f, c.compare(VectorOperators.LE, -1 + snap));
            FloatVector rest = arcCosine(c.neg()); // pi - arccos(c) = arccos(-c)
            FloatVector sine = c.neg().add(1).mul(c.add(1)).sqrt();
            FloatVector f = kv.mul(a).add(s.mul(w).mul(sine.add(rest.mul(c))).mul(inv2pi));
            FloatVector next = f.mul(sw).add(sb);
            if (theta != null) {
                FloatVector dot = rest.mul(w).mul(inv2pi).add(a);
                next.add(dot.mul(sw).mul(FloatVector.fromArray(FS, theta, j))).intoArray(theta, j);
            }
            next.intoArray(k, j);
        }
        return j;
    }

    /**
     * {@code arccos(x)} for x in [-1, 1] to about 1e-7 absolute (float rounding included): Hastings'
     * approximation {@code arccos(t) = sqrt(1 - t) (a0 + a1 t + ... + a7 t^7)} for t = |x| in [0, 1],
     * error at most 2e-8 (Abramowitz and Stegun, Handbook of Mathematical Functions, 4.4.46), and
     * {@code arccos(x) = pi - arccos(-x)} for x &lt; 0. Exact at x = 1 (0). Relative accuracy near x = 1
     * (small angles) comes from {@code sqrt(1 - t)}, exact in its argument there.
     */
    static FloatVector arcCosine(FloatVector x) {
        FloatVector t = x.abs();
        FloatVector p = t.fma(-0.0012624911f, 0.0066700901f)
                .mul(t).add(-0.0170881256f)
                .mul(t).add(0.0308918810f)
                .mul(t).add(-0.0501743046f)
                .mul(t).add(0.0889789874f)
                .mul(t).add(-0.2145988016f)
                .mul(t).add(1.5707963050f);
        FloatVector r = t.neg().add(1).sqrt().mul(p);
        return r.blend(r.neg().add((float) Math.PI), x.compare(VectorOperators.LT, 0f));
    }

    /**
     * {@link #arcsine} for F32 kernels, in float arithmetic (the determinant is at least 1: no cancellation;
     * arcsin from {@link #arcCosine(FloatVector)}, 2e-8 absolute);
     * {@code scale1} is the row's {@code 2 / sqrt(1 + 2 q1)}.
     */
    static int arcsine(float sw, float sb, float q1, float scale1, float[] q2, float[] scales2, float[] k,
            float[] theta, int from, int n) {
        float twoOverPi = (float) TWO_OVER_PI;
        float fourOverPi = (float) FOUR_OVER_PI;
        int j = from;
        for (; j + FLOAT_LANES <= n; j += FLOAT_LANES) {
            FloatVector kv = FloatVector.fromArray(FS, k, j);
            FloatVector qv = FloatVector.fromArray(FS, q2, j);
            FloatVector z = kv.mul(scale1).mul(FloatVector.fromArray(FS, scales2, j)).max(-1f).min(1f);
            FloatVector asin = arcCosine(z).neg().add((float) (Math.PI / 2)); // arcsin = pi/2 - arccos
            FloatVector next = asin.mul(twoOverPi).mul(sw).add(sb);
            if (theta != null) {
                FloatVector det = FloatVector.broadcast(FS, 1).add(qv.add(q1).mul(2))
                        .add(qv.mul(q1).sub(kv.mul(kv)).max(0f).mul(4));
                FloatVector dot = FloatVector.broadcast(FS, fourOverPi).div(det.sqrt());
                next.add(dot.mul(sw).mul(FloatVector.fromArray(FS, theta, j))).intoArray(theta, j);
            }
            next.intoArray(k, j);
        }
        return j;
    }
}
