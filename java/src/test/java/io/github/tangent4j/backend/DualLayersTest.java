package io.github.tangent4j.backend;

import static io.github.tangent4j.backend.TestBackends.download;
import static io.github.tangent4j.backend.TestBackends.upload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.internal.DualKernel;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.tensor.DType;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Backend#dualLayers} on every backend against the scalar definition {@link DualKernel}, evaluated
 * here element by element in double on the same (dtype-rounded) inputs, and {@link DualKernel} itself against
 * closed forms at the cosines where they are exact.
 */
class DualLayersTest {
    private static final Activation[] PHIS = {Activation.RELU, Activation.leakyRelu(0.2), Activation.ABS,
        Activation.IDENTITY, Activation.ERF};

    /**
     * Random variances and covariances with every special cosine (+-1, 1 - 1e-16, beyond +-1 by rounding),
     * a zero variance and an underflowing product, in a shape whose rows are not a whole number of vectors.
     */
    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.BackendConformanceTest#backendsAndTypes")
    void matchesTheScalarDefinitionElementwise(String backend, DType dtype) {
        int rows = 7;
        int cols = 53;
        SplittableRandom r = new SplittableRandom(11);
        double[] q1 = new double[rows];
        double[] q2 = new double[cols];
        for (int i = 0; i < rows; i++) {
            q1[i] = r.nextDouble(0.05, 4);
        }
        for (int j = 0; j < cols; j++) {
            q2[j] = j % 17 == 3 ? q1[j % rows] : r.nextDouble(0.05, 4);
        }
        q2[10] = 0;
        q1[6] = 1e-200;
        q2[11] = 1e-200; // q1[6] * q2[11] underflows
        double[] k = new double[rows * cols];
        double[] theta = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double c = switch ((i + j) % 11) {
                    case 0 -> 1;
                    case 1 -> -1;
                    case 2 -> 1 - 1e-16;
                    case 3 -> 1 + 1e-15;
                    default -> r.nextDouble(-1, 1);
                };
                k[i * cols + j] = TestBackends.round(dtype, c * Math.sqrt(q1[i] * q2[j]));
                theta[i * cols + j] = TestBackends.round(dtype, r.nextDouble(0, 3));
            }
        }
        double snap = DualKernel.snapTolerance(dtype);
        TestBackends.with(backend, b -> {
            for (Activation phi : PHIS) {
                for (boolean ntk : new boolean[] {true, false}) {
                    try (DeviceMatrix qd1 = upload(b, DType.F64, q1, rows, 1);
                            DeviceMatrix qd2 = upload(b, DType.F64, q2, 1, cols);
                            DeviceMatrix kd = upload(b, dtype, k, rows, cols);
                            DeviceMatrix td = upload(b, dtype, theta, rows, cols)) {
                        b.dualLayers(phi, 1.7, 0.3, qd1, qd2, kd, ntk ? td : null);
                        double[] kOut = download(b, kd);
                        double[] tOut = download(b, td);
                        for (int i = 0; i < rows; i++) {
                            for (int j = 0; j < cols; j++) {
                                int e = i * cols + j;
                                double s = 1.7 * DualKernel.value(phi, q1[i], q2[j], k[e], snap) + 0.3;
                                double t = s + 1.7 * DualKernel.derivative(phi, q1[i], q2[j], k[e], snap) * theta[e];
                                String at = backend + " " + dtype + " " + phi + " (" + i + ", " + j + ")";
                                double expected = ntk ? t : theta[e];
                                double tol = relativeTolerance(dtype, k[e], q1[i], q2[j]);
                                assertEquals(TestBackends.round(dtype, s), kOut[e], tol * Math.max(1, Math.abs(s)),
                                        at + " nngp");
                                assertEquals(TestBackends.round(dtype, expected), tOut[e],
                                        tol * Math.max(1, Math.abs(expected)), at + " ntk");
                                assertTrue(Double.isFinite(kOut[e]) && Double.isFinite(tOut[e]), at);
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * F64 runs the scalar formulas' operations in double (a few ulps apart: the vector arccos); F32 may run
     * them in float, whose cosine error of a few float ulps Fdot amplifies by 1 / sin(theta) (arccos'),
     * so the tolerance is 8 float ulps times that condition number.
     */
    private static double relativeTolerance(DType dtype, double k, double q1, double q2) {
        if (dtype == DType.F64) {
            return 1e-14;
        }
        double scale = Math.sqrt(q1) * Math.sqrt(q2);
        double c = scale > 0 ? Math.max(-1, Math.min(1, k / scale)) : 0;
        double sine = Math.sqrt((1 - c) * (1 + c));
        return 8 * 0x1p-24 * (1 + 1 / Math.max(sine, Math.sqrt(0x1p-19)));
    }

    /** Three layers in one call equal three one-layer calls bit for bit (every dtype and backend, NTK and not). */
    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.BackendConformanceTest#backendsAndTypes")
    void layersInOneCallEqualLayerByLayer(String backend, DType dtype) {
        int rows = 5;
        int cols = 37;
        int layers = 3;
        SplittableRandom r = new SplittableRandom(5);
        double[] x = new double[rows * cols];
        double[] q1 = new double[rows * layers];
        double[] q2 = new double[layers * cols];
        for (int i = 0; i < q1.length; i++) {
            q1[i] = r.nextDouble(0.5, 2);
        }
        for (int i = 0; i < q2.length; i++) {
            q2[i] = r.nextDouble(0.5, 2);
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = TestBackends.round(dtype, r.nextDouble(-0.5, 0.5));
        }
        TestBackends.with(backend, b -> {
            for (Activation phi : PHIS) {
                try (DeviceMatrix all1 = upload(b, DType.F64, q1, rows, layers);
                        DeviceMatrix all2 = upload(b, DType.F64, q2, layers, cols);
                        DeviceMatrix k = upload(b, dtype, x, rows, cols);
                        DeviceMatrix theta = upload(b, dtype, x, rows, cols);
                        DeviceMatrix k1 = upload(b, dtype, x, rows, cols);
                        DeviceMatrix theta1 = upload(b, dtype, x, rows, cols)) {
                    b.dualLayers(phi, 1.5, 0.2, all1, all2, k, theta);
                    for (int l = 0; l < layers; l++) {
                        double[] column = new double[rows];
                        for (int i = 0; i < rows; i++) {
                            column[i] = q1[i * layers + l];
                        }
                        try (DeviceMatrix one = upload(b, DType.F64, column, rows, 1)) {
                            b.dualLayers(phi, 1.5, 0.2, one, all2.rows(l, l + 1), k1, theta1);
                        }
                    }
                    assertArrayEquals(download(b, k1), download(b, k), backend + " " + dtype + " " + phi + " nngp");
                    assertArrayEquals(download(b, theta1), download(b, theta), backend + " " + dtype + " " + phi + " ntk");
                }
            }
        });
    }

    /** Closed forms: orthogonal, equal and opposite inputs, the relu dual's 1/2 and 1/pi, erf's arcsine. */
    @Test
    void scalarDefinitionAtKnownPoints() {
        double q = 2.5;
        double snap = 0x1p-48;
        // relu: E[relu(u) relu(v)] = q/2 (c = 1), q/(2 pi) (c = 0), 0 (c = -1); Fdot = 1/2, 1/4, 0
        assertEquals(q / 2, DualKernel.value(Activation.RELU, q, q, q, snap), 1e-15);
        assertEquals(q / (2 * Math.PI), DualKernel.value(Activation.RELU, q, q, 0, snap), 1e-15);
        assertEquals(0, DualKernel.value(Activation.RELU, q, q, -q, snap), 1e-15);
        assertEquals(0.5, DualKernel.derivative(Activation.RELU, q, q, q, snap), 1e-15);
        assertEquals(0.25, DualKernel.derivative(Activation.RELU, q, q, 0, snap), 1e-15);
        assertEquals(0, DualKernel.derivative(Activation.RELU, q, q, -q, snap), 1e-15);
        // abs: E[|u| |v|] = q at c = +-1, 2q/pi at c = 0; identity: k
        assertEquals(q, DualKernel.value(Activation.ABS, q, q, -q, snap), 1e-14);
        assertEquals(2 * q / Math.PI, DualKernel.value(Activation.ABS, q, q, 0, snap), 1e-14);
        assertEquals(0.7, DualKernel.value(Activation.IDENTITY, q, 3, 0.7, snap), 0);
        // erf: (2/pi) arcsin(2k / sqrt((1 + 2 q1)(1 + 2 q2))), Fdot = (4/pi) / sqrt((1 + 2q)^2 - 4k^2)
        assertEquals(2 / Math.PI * Math.asin(2 * 0.5 / 6), DualKernel.value(Activation.ERF, q, q, 0.5, snap), 1e-15);
        assertEquals(4 / Math.PI / Math.sqrt(36 - 1), DualKernel.derivative(Activation.ERF, q, q, 0.5, snap), 1e-15);
        // a cosine within the tolerance of 1 is 1; the zero variance gives cosine 0
        assertEquals(q / 2, DualKernel.value(Activation.RELU, q, q, q * (1 - 0x1p-50), snap), 1e-15);
        assertEquals(0, DualKernel.value(Activation.RELU, 0, q, 0, snap), 0);
    }

    @Test
    void badArgumentsAreNamed() {
        TestBackends.with("java", b -> {
            try (DeviceMatrix q1 = b.allocate(DType.F64, 2, 1);
                    DeviceMatrix q2 = b.allocate(DType.F64, 1, 3);
                    DeviceMatrix q32 = b.allocate(DType.F32, 1, 3);
                    DeviceMatrix k = b.allocate(DType.F32, 2, 3);
                    DeviceMatrix wrong = b.allocate(DType.F32, 3, 2)) {
                assertMessage("phi", () -> b.dualLayers(Activation.TANH, 1, 0, q1, q2, k, null));
                assertMessage("sigmaW2", () -> b.dualLayers(Activation.RELU, -1, 0, q1, q2, k, null));
                assertMessage("sigmaB2", () -> b.dualLayers(Activation.RELU, 1, Double.NaN, q1, q2, k, null));
                assertMessage("q2: expected dtype F64", () -> b.dualLayers(Activation.RELU, 1, 0, q1, q32, k, null));
                assertMessage("q1: expected shape 2 x L", () -> b.dualLayers(Activation.RELU, 1, 0, q2, q2, k, null));
                assertMessage("q2: expected shape 1 x 3", () -> b.dualLayers(Activation.RELU, 1, 0, q1, q1, k, null));
                assertMessage("theta: expected shape 2 x 3", () -> b.dualLayers(Activation.RELU, 1, 0, q1, q2, k, wrong));
                assertMessage("theta: expected a matrix not overlapping k",
                        () -> b.dualLayers(Activation.RELU, 1, 0, q1, q2, k, k));
            }
        });
    }

    private static void assertMessage(String start, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
    }
}
