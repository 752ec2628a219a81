package io.github.tangent4j.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.tangent4j.backend.internal.DualKernel;
import io.github.tangent4j.nn.Activation;
import org.junit.jupiter.api.Test;

/**
 * The F64 vector layer's arccos polynomial against the JDK's correctly rounded-to-1-ulp {@link Math#acos} and
 * {@link Math#asin}, through the kernels that use it, on a dense grid of cosines and on cosines within
 * 2^-52 ... 2^-1 of +-1 (where arccos has its square-root singularity).
 */
class VectorDualLayerTest {
    private static final int N = 1 << 16;

    /** Cosines: a uniform grid over [-1, 1] and geometric approaches to +-1 and 0; N is a multiple of the lanes. */
    private static double[] cosines() {
        double[] c = new double[N];
        int i = 0;
        for (int e = 1; e <= 52; e++, i += 4) {
            double d = Math.scalb(1.0, -e);
            c[i] = 1 - d;
            c[i + 1] = -1 + d;
            c[i + 2] = d;
            c[i + 3] = -d;
        }
        for (; i < N; i++) {
            c[i] = -1 + 2.0 * i / (N - 1);
        }
        return c;
    }

    @Test
    void arcCosineKernelOfReluMatchesMathAcos() {
        assumeTrue(Vectorization.ENABLED, "the Vector API module is not loaded");
        double[] c = cosines();
        double[] k = c.clone();
        double[] theta = new double[N];
        java.util.Arrays.fill(theta, 1);
        double[] ones = new double[N];
        java.util.Arrays.fill(ones, 1);
        // q1 = q2 = 1, so k is the cosine; sigma_w^2 = 1, sigma_b^2 = 0, no snapping
        int done = VectorDualLayer.layer(false, 0, 1, 1, 0, 0, 1, 1, 1, ones, ones, ones, k, theta, 0, N);
        assertEquals(N, done);
        for (int i = 0; i < N; i++) {
            double angle = Math.acos(c[i]);
            double f = (Math.sqrt((1 - c[i]) * (1 + c[i])) + (Math.PI - angle) * c[i]) / (2 * Math.PI);
            double fdot = (Math.PI - angle) / (2 * Math.PI);
            assertEquals(f, k[i], 4e-16, "F at cos " + c[i]);
            assertEquals(f + fdot, theta[i], 6e-16, "F + Fdot at cos " + c[i]);
            assertEquals(DualKernel.value(Activation.RELU, 1, 1, c[i], 0), k[i], 4e-16, "F against DualKernel at " + c[i]);
        }
    }

    @Test
    void arcsineKernelOfErfMatchesMathAsin() {
        assumeTrue(Vectorization.ENABLED, "the Vector API module is not loaded");
        double[] z = cosines();
        // q1 = q2 = 1/2: the erf scales are 1 / sqrt(2) each, so rowScale * colScale = 2 / 2 = 1 and k = z
        double q = 0.5;
        double scale = DualKernel.erfScale(q);
        double[] k = z.clone();
        double[] qs = new double[N];
        double[] scales = new double[N];
        java.util.Arrays.fill(qs, q);
        java.util.Arrays.fill(scales, scale);
        VectorDualLayer.layer(true, 0, 0, 1, 0, 0, q, Math.sqrt(q), 2 * scale, qs, qs, scales, k, null, 0, N);
        for (int i = 0; i < N; i++) {
            double zi = z[i] * (2 * scale) * scale;
            assertEquals(2 / Math.PI * Math.asin(Math.max(-1, Math.min(1, zi))), k[i], 4e-16, "erf kernel at z " + z[i]);
        }
    }
}
