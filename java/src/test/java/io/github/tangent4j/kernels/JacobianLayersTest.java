package io.github.tangent4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Architecture;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link io.github.tangent4j.backend.Backend#jacobianLayers} on every backend (the Java backend, and the
 * CUDA kernel on the emulated device) against the scalar reference {@link PairReference} (the recursion
 * through {@link DualActivation}'s partials and generic chain rule), pair by pair, on pairs of random points
 * with the special ones among them: x' = x, x' = -x, x' = 2 x, x' = 0, and x' within 1e-9 of x.
 */
class JacobianLayersTest {
    private static final Activation[] PHIS = {Activation.RELU, Activation.leakyRelu(0.2), Activation.ABS,
        Activation.IDENTITY, Activation.ERF};

    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void matchesTheScalarReference(String backend) {
        int d = 5;
        int rows = 6;
        int cols = 37;
        SplittableRandom rnd = new SplittableRandom(7);
        double[] xs = new double[rows * d];
        double[] ys = new double[cols * d];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = rnd.nextGaussian();
        }
        for (int j = 0; j < cols; j++) {
            for (int c = 0; c < d; c++) {
                int i = j % rows;
                double x = xs[i * d + c];
                ys[j * d + c] = switch (j / rows) {
                    case 0 -> x; // the same point
                    case 1 -> -x;
                    case 2 -> 2 * x;
                    case 3 -> 0;
                    case 4 -> x + 1e-9 * rnd.nextGaussian();
                    default -> rnd.nextGaussian();
                };
            }
        }
        TestBackends.with(backend, b -> {
            for (Activation phi : PHIS) {
                for (int depth : new int[] {0, 1, 3}) {
                    for (double sb2 : new double[] {0, 0.2}) {
                        InfiniteWidthKernel k = InfiniteWidthKernel.of(Architecture.ntkVariances(phi, depth, 1.8, sb2));
                        for (boolean ntk : new boolean[] {false, true}) {
                            check(b, k, xs, ys, d, ntk, backend + " " + phi + " depth " + depth + " sb2 " + sb2
                                    + (ntk ? " ntk" : " nngp"));
                        }
                    }
                }
            }
        });
    }

    private static void check(io.github.tangent4j.backend.Backend b, InfiniteWidthKernel kernel, double[] xs,
            double[] ys, int d, boolean ntk, String what) {
        int rows = xs.length / d;
        int cols = ys.length / d;
        int depth = kernel.depth();
        double sw2 = kernel.sigmaW2();
        double sb2 = kernel.sigmaB2();
        double c0 = sw2 / d;
        DualActivation dual = kernel.dual();
        double[][] qx = diagonal(dual, sw2, sb2, c0, xs, d, depth);
        double[][] qy = diagonal(dual, sw2, sb2, c0, ys, d, depth);
        int width = 1 + 2 * depth;
        double[] q1 = new double[rows * width];
        double[] q2 = new double[2 * depth * cols];
        double[] pairs = new double[rows * 3 * cols];
        double[] expected = new double[rows * 10 * cols];
        double[] e2 = new double[d];
        double[] xy = new double[2];
        double[] dq1 = new double[2];
        double[] dq2 = new double[2];
        for (int l = 0; l < depth; l++) {
            for (int j = 0; j < cols; j++) {
                q2[2 * l * cols + j] = qy[2 * l][j];
                q2[(2 * l + 1) * cols + j] = qy[2 * l + 1][j];
            }
        }
        for (int i = 0; i < rows; i++) {
            JacobianKernel.Basis basis = new JacobianKernel.Basis(xs, i, d);
            q1[i * width] = basis.norm;
            for (int l = 0; l < depth; l++) {
                q1[i * width + 1 + 2 * l] = qx[2 * l][i];
                q1[i * width + 2 + 2 * l] = qx[2 * l + 1][i];
            }
            for (int j = 0; j < cols; j++) {
                basis.coordinates(ys, j, e2, xy);
                double g = 0;
                for (int c = 0; c < d; c++) {
                    g += xs[i * d + c] * ys[j * d + c];
                }
                double k1 = c0 * g + sb2;
                pairs[(i * cols + j) * 3] = k1;
                pairs[(i * cols + j) * 3 + 1] = xy[0];
                pairs[(i * cols + j) * 3 + 2] = xy[1];
                PairReference ref = new PairReference();
                ref.start(k1, c0, basis.norm, xy[0], xy[1]);
                for (int l = 0; l < depth; l++) {
                    dq1[0] = qx[2 * l + 1][i] * basis.norm;
                    dq2[0] = qy[2 * l + 1][j] * xy[0];
                    dq2[1] = qy[2 * l + 1][j] * xy[1];
                    ref.step(dual, sw2, sb2, qx[2 * l][i], qy[2 * l][j], dq1, dq2, ntk);
                }
                System.arraycopy(ntk ? ref.theta : ref.sigma, 0, expected, (i * cols + j) * 10, 10);
            }
        }
        try (DeviceMatrix q1d = b.upload(Tensor.of(q1, rows, width));
                DeviceMatrix q2d = depth == 0 ? null : b.upload(Tensor.of(q2, 2L * depth, cols));
                DeviceMatrix pd = b.upload(Tensor.of(pairs, rows, 3L * cols));
                DeviceMatrix out = b.allocate(DType.F64, rows, 10L * cols)) {
            b.jacobianLayers(kernel.activation(), sw2, sb2, c0, q1d, q2d, pd, out, ntk);
            double[] actual = b.download(out).toDoubleArray();
            double scale = 0;
            for (double v : expected) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertTrue(scale > 0, what);
            for (int e = 0; e < expected.length; e++) {
                int at = e;
                assertEquals(expected[e], actual[e], 1e-11 * scale,
                        () -> what + ": pair " + at / 10 + " coefficient " + at % 10);
            }
        }
    }

    /** Per point, rows 2l and 2l+1: q_l and p_l (dq_l/dx = p_l x), as JacobianKernel defines them. */
    private static double[][] diagonal(DualActivation dual, double sw2, double sb2, double c0, double[] xs, int d,
            int depth) {
        int n = xs.length / d;
        double[][] t = new double[2 * Math.max(depth, 1)][n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int c = 0; c < d; c++) {
                s += xs[i * d + c] * xs[i * d + c];
            }
            double q = c0 * s + sb2;
            double p = 2 * c0;
            for (int l = 0; l < depth; l++) {
                t[2 * l][i] = q;
                t[2 * l + 1][i] = p;
                p = sw2 * dual.diagonalSlope(q) * p;
                q = sw2 * dual.value(q, q, q) + sb2;
            }
        }
        return t;
    }

    @Test
    void badArgumentsAreNamed() {
        TestBackends.with("java", b -> {
            try (DeviceMatrix q1 = b.allocate(DType.F64, 2, 3);
                    DeviceMatrix q2 = b.allocate(DType.F64, 2, 4);
                    DeviceMatrix pairs = b.allocate(DType.F64, 2, 12);
                    DeviceMatrix jets = b.allocate(DType.F64, 2, 40);
                    DeviceMatrix jets32 = b.allocate(DType.F32, 2, 40);
                    DeviceMatrix flat = b.allocate(DType.F64, 104, 1)) {
                Activation relu = Activation.RELU;
                assertMessage("phi", () -> b.jacobianLayers(Activation.TANH, 1, 0, 1, q1, q2, pairs, jets, false));
                assertMessage("sigmaW2", () -> b.jacobianLayers(relu, -1, 0, 1, q1, q2, pairs, jets, false));
                assertMessage("c0", () -> b.jacobianLayers(relu, 1, 0, Double.NaN, q1, q2, pairs, jets, false));
                assertMessage("jets: expected dtype F64", () -> b.jacobianLayers(relu, 1, 0, 1, q1, q2, pairs, jets32,
                        false));
                assertMessage("jets: expected shape rows x 10 cols",
                        () -> b.jacobianLayers(relu, 1, 0, 1, q1, q2, pairs, pairs, false));
                assertMessage("q1: expected shape 2 x (1 + 2L)",
                        () -> b.jacobianLayers(relu, 1, 0, 1, q2, q2, pairs, jets, false));
                assertMessage("q2: expected shape 2 x 4", () -> b.jacobianLayers(relu, 1, 0, 1, q1, null, pairs, jets,
                        false));
                assertMessage("pairs: expected shape 2 x 12", () -> b.jacobianLayers(relu, 1, 0, 1, q1, q2, q2, jets,
                        false));
                assertMessage("jets: expected a matrix overlapping no input",
                        () -> b.jacobianLayers(relu, 1, 0, 1, q1, q2, flat.rows(70, 94).reshape(2, 12),
                                flat.rows(0, 80).reshape(2, 40), false));
                b.jacobianLayers(relu, 1, 0, 1, q1, q2, flat.rows(80, 104).reshape(2, 12), flat.rows(0, 80).reshape(2, 40),
                        false);
            }
        });
    }

    private static void assertMessage(String start, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().startsWith(start), () -> "expected a message starting with '" + start + "' but was '"
                + e.getMessage() + "'");
    }
}
