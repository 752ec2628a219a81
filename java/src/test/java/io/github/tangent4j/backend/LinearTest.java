package io.github.tangent4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Backend#linear} and {@link Backend#linearWithSigns} on every backend: the same bits as the
 * unfused primitives (GEMM, addRowVector, signBits, activate) on the same backend, close to a scalar
 * reference computed in double, NaN and infinities propagated as the primitives propagate them, and
 * the argument checks.
 */
class LinearTest {
    /** {rows N, outputs, inputs}: tiny, odd, one and two 64-bit words of signs, a bit-mask row with a spare word. */
    private static final int[][] SHAPES = {{1, 1, 1}, {7, 5, 3}, {67, 33, 129}, {9, 64, 4}, {5, 130, 7},
        {130, 257, 65}};
    private static final List<Activation> ACTIVATIONS = List.of(Activation.RELU, Activation.leakyRelu(0.1),
            Activation.ABS, Activation.TANH, Activation.ERF, Activation.IDENTITY);

    /** The layer as separate primitives, with the signs taken before phi. */
    static Tensor unfused(Backend b, double alpha, DeviceMatrix x, DeviceMatrix w, DeviceMatrix bias, Activation phi,
            DeviceMatrix out) {
        b.gemm(false, true, alpha, x, w, 0, out);
        if (bias != null) {
            b.addRowVector(out, bias);
        }
        Tensor signs = b.signBits(out);
        b.activate(phi, out, out);
        return signs;
    }

    private static void assertSameBits(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToLongBits(expected[i]) != Double.doubleToLongBits(actual[i])) {
                throw new AssertionError(what + ": element " + i + " expected " + expected[i] + " but was "
                        + actual[i]);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void equalsTheUnfusedPrimitivesAndAScalarReference(String backend) {
        TestBackends.with(backend, b -> {
            SplittableRandom rnd = new SplittableRandom(13);
            for (DType dtype : new DType[] {DType.F64, DType.F32}) {
                for (int[] s : SHAPES) {
                    int n = s[0];
                    int out = s[1];
                    int in = s[2];
                    double[] xs = TestBackends.random(rnd, dtype, (long) n * in);
                    double[] ws = TestBackends.random(rnd, dtype, (long) out * in);
                    double[] bs = TestBackends.random(rnd, dtype, out);
                    double alpha = 0.75;
                    for (boolean withBias : new boolean[] {true, false}) {
                        for (Activation phi : ACTIVATIONS) {
                            String what = dtype + " " + n + "x" + out + "x" + in + " " + phi
                                    + (withBias ? " with bias" : "");
                            check(b, dtype, n, out, in, xs, ws, withBias ? bs : null, alpha, phi, what);
                        }
                    }
                }
            }
        });
    }

    private static void check(Backend b, DType dtype, int n, int out, int in, double[] xs, double[] ws, double[] bs,
            double alpha, Activation phi, String what) {
        try (DeviceMatrix x = TestBackends.upload(b, dtype, xs, n, in);
             DeviceMatrix w = TestBackends.upload(b, dtype, ws, out, in);
             DeviceMatrix bias = bs == null ? null : TestBackends.upload(b, dtype, bs, 1, out);
             DeviceMatrix fused = b.allocate(dtype, n, out);
             DeviceMatrix withSigns = b.allocate(dtype, n, out);
             DeviceMatrix reference = b.allocate(dtype, n, out)) {
            b.linear(alpha, x, w, bias, phi, fused);
            Tensor signs = b.linearWithSigns(alpha, x, w, bias, phi, withSigns);
            Tensor expectedSigns = unfused(b, alpha, x, w, bias, phi, reference);
            double[] expected = TestBackends.download(b, reference);
            assertSameBits(expected, TestBackends.download(b, fused), what);
            assertSameBits(expected, TestBackends.download(b, withSigns), what + " (with signs)");
            assertEquals(List.of(expectedSigns.shape()[0], expectedSigns.shape()[1]),
                    List.of(signs.shape()[0], signs.shape()[1]), what);
            for (long i = 0; i < expectedSigns.size(); i++) {
                assertEquals(expectedSigns.getFlat(i), signs.getFlat(i), what + ": sign word " + i);
            }
            // independent of both: the layer in double, element by element
            double scale = 0;
            double[] scalar = new double[n * out];
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < out; c++) {
                    double z = 0;
                    for (int k = 0; k < in; k++) {
                        z += xs[r * in + k] * ws[c * in + k];
                    }
                    z = alpha * z + (bs == null ? 0 : bs[c]);
                    scalar[r * out + c] = phi.value(z);
                    scale = Math.max(scale, Math.abs(scalar[r * out + c]));
                }
            }
            for (int i = 0; i < scalar.length; i++) {
                double tol = 4 * TestBackends.tolerance(dtype) * Math.max(scale, 1);
                assertTrue(Math.abs(scalar[i] - expected[i]) <= tol, what + ": element " + i + " expected "
                        + scalar[i] + " but was " + expected[i]);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void propagatesNanAndInfinitiesAsThePrimitivesDo(String backend) {
        TestBackends.with(backend, b -> {
            for (DType dtype : new DType[] {DType.F64, DType.F32}) {
                double inf = Double.POSITIVE_INFINITY;
                // rows: a NaN input, +inf, -inf, an ordinary row whose second unit is exactly 0 and first negative
                double[] xs = {Double.NaN, 1, inf, 1, -inf, 1, -1, 0.5};
                double[] ws = {1, 0, 0, 1, 2, 0};
                double[] bs = {0.5, 0, -0.25};
                for (Activation phi : ACTIVATIONS) {
                    for (boolean withBias : new boolean[] {true, false}) {
                        try (DeviceMatrix x = TestBackends.upload(b, dtype, xs, 4, 2);
                             DeviceMatrix w = TestBackends.upload(b, dtype, ws, 3, 2);
                             DeviceMatrix bias = withBias ? TestBackends.upload(b, dtype, bs, 1, 3) : null;
                             DeviceMatrix fused = b.allocate(dtype, 4, 3);
                             DeviceMatrix reference = b.allocate(dtype, 4, 3)) {
                            Tensor signs = b.linearWithSigns(1, x, w, bias, phi, fused);
                            Tensor expectedSigns = unfused(b, 1, x, w, bias, phi, reference);
                            String what = dtype + " " + phi + (withBias ? " with bias" : "");
                            assertSameBits(TestBackends.download(b, reference), TestBackends.download(b, fused), what);
                            for (long i = 0; i < expectedSigns.size(); i++) {
                                assertEquals(expectedSigns.getFlat(i), signs.getFlat(i), what + ": sign word " + i);
                            }
                            b.linear(1, x, w, bias, phi, fused);
                            assertSameBits(TestBackends.download(b, reference), TestBackends.download(b, fused), what);
                        }
                    }
                }
                // relu(NaN) is NaN, as in PyTorch: row 0 (x = NaN, 1) is NaN in every unit (NaN * 0 is NaN too);
                // row 3 (x = -1, 0.5) is relu(-1, 0.5, -2)
                try (DeviceMatrix x = TestBackends.upload(b, dtype, xs, 4, 2);
                     DeviceMatrix w = TestBackends.upload(b, dtype, ws, 3, 2);
                     DeviceMatrix out = b.allocate(dtype, 4, 3)) {
                    b.linear(1, x, w, null, Activation.RELU, out);
                    double[] h = TestBackends.download(b, out);
                    assertTrue(Double.isNaN(h[0]) && Double.isNaN(h[1]) && Double.isNaN(h[2]), dtype + " row 0 "
                            + List.of(h[0], h[1], h[2]));
                    assertSameBits(new double[] {0, 0.5, 0}, new double[] {h[9], h[10], h[11]}, dtype + " row 3");
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void alphaZeroReadsNeitherInputNorWeight(String backend) {
        TestBackends.with(backend, b -> {
            double nan = Double.NaN;
            try (DeviceMatrix x = TestBackends.upload(b, DType.F64, new double[] {nan, nan}, 1, 2);
                 DeviceMatrix w = TestBackends.upload(b, DType.F64, new double[] {nan, nan, nan, nan}, 2, 2);
                 DeviceMatrix bias = TestBackends.upload(b, DType.F64, new double[] {-2, 3}, 1, 2);
                 DeviceMatrix out = b.allocate(DType.F64, 1, 2)) {
                b.linear(0, x, w, bias, Activation.RELU, out);
                assertSameBits(new double[] {0, 3}, TestBackends.download(b, out), "relu(0 * NaN + bias)");
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void rejectsBadArgumentsNamingThem(String backend) {
        TestBackends.with(backend, b -> {
            try (DeviceMatrix x = b.allocate(DType.F64, 4, 3);
                 DeviceMatrix w = b.allocate(DType.F64, 2, 3);
                 DeviceMatrix bias = b.allocate(DType.F64, 1, 2);
                 DeviceMatrix out = b.allocate(DType.F64, 4, 2);
                 DeviceMatrix f32 = b.allocate(DType.F32, 4, 2)) {
                assertTrue(assertThrows(IllegalArgumentException.class,
                        () -> b.linear(1, x, x, null, Activation.RELU, out)).getMessage().startsWith("out: expected 4 x 4"));
                assertTrue(assertThrows(IllegalArgumentException.class,
                        () -> b.linear(1, x, out, null, Activation.RELU, out)).getMessage().startsWith("w: expected 3 columns"));
                assertTrue(assertThrows(IllegalArgumentException.class,
                        () -> b.linear(1, x, w, x, Activation.RELU, out)).getMessage().startsWith("bias: expected 2 elements"));
                assertTrue(assertThrows(IllegalArgumentException.class,
                        () -> b.linear(1, x, w, bias, Activation.RELU, f32)).getMessage().startsWith("out: expected dtype F64"));
                assertTrue(assertThrows(IllegalArgumentException.class,
                        () -> b.linear(Double.NaN, x, w, bias, Activation.RELU, out)).getMessage().startsWith("alpha:"));
                assertThrows(NullPointerException.class, () -> b.linear(1, x, w, bias, null, out));
                try (DeviceMatrix big = b.allocate(DType.F64, 8, 2); DeviceMatrix square = b.allocate(DType.F64, 2, 2)) {
                    assertTrue(assertThrows(IllegalArgumentException.class, () -> b.linear(1, big.rows(0, 4), square,
                            null, Activation.RELU, big.rows(2, 6))).getMessage().startsWith("out: must not overlap"));
                }
            }
        });
    }
}
