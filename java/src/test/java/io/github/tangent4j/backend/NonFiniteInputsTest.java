package io.github.tangent4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.function.DoubleBinaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * NaN, +Inf and -Inf inputs through every primitive on every backend, against scalar formulas evaluated
 * here in the element's precision: NaN and infinities propagate as IEEE 754 arithmetic (and PyTorch)
 * propagates them. (Activations and their derivatives at special values: {@link BackendAgreementTest}
 * and {@link BackendConformanceTest}; GEMMs with alpha = 0 or beta = 0 over NaN: {@link BackendConformanceTest}.)
 */
class NonFiniteInputsTest {
    private static final double NAN = Double.NaN;
    private static final double INF = Double.POSITIVE_INFINITY;
    /** 3 x 4: every special value, signed zeros and ordinary numbers. */
    private static final double[] Z = {NAN, INF, -INF, 0.0, -0.0, 1, -2, 0.5, 3, -INF, NAN, -1};
    private static final double[] V = {INF, NAN, -1, 0.0};
    private static final double[] R = {-INF, 2, NAN};

    private static double round(DType t, double x) {
        return TestBackends.round(t, x);
    }

    /** Same value in the dtype: NaN meets NaN, an infinity the same infinity, numbers agree to rounding. */
    private static void assertSame(DType t, double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            double e = round(t, expected[i]);
            double a = actual[i];
            boolean ok = Double.isNaN(e) ? Double.isNaN(a)
                    : Double.isInfinite(e) ? e == a : Math.abs(e - a) <= TestBackends.tolerance(t) * Math.max(1, Math.abs(e));
            if (!ok) {
                fail(what + ": element " + i + " expected " + e + " but was " + a);
            }
        }
    }

    /** m[i, j] op v[j] (rowwise) or m[i, j] op v[i] over Z, in the dtype. */
    private static double[] elementwise(DType t, double[] v, boolean perRow, DoubleBinaryOperator op) {
        double[] out = new double[Z.length];
        for (int e = 0; e < Z.length; e++) {
            out[e] = round(t, op.applyAsDouble(round(t, Z[e]), round(t, v[perRow ? e / 4 : e % 4])));
        }
        return out;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.github.tangent4j.backend.BackendConformanceTest#backendsAndTypes")
    void rowAndColumnOperations(String name, DType t) {
        TestBackends.with(name, b -> {
            try (DeviceMatrix v = TestBackends.upload(b, t, V, 1, 4); DeviceMatrix r = TestBackends.upload(b, t, R, 3, 1)) {
                try (DeviceMatrix m = TestBackends.upload(b, t, Z, 3, 4)) {
                    b.addRowVector(m, v);
                    assertSame(t, elementwise(t, V, false, Double::sum), TestBackends.download(b, m), "addRowVector");
                }
                try (DeviceMatrix m = TestBackends.upload(b, t, Z, 3, 4)) {
                    b.scaleColumns(m, v);
                    assertSame(t, elementwise(t, V, false, (x, y) -> x * y), TestBackends.download(b, m), "scaleColumns");
                }
                try (DeviceMatrix m = TestBackends.upload(b, t, Z, 3, 4)) {
                    b.scaleRows(m, r);
                    assertSame(t, elementwise(t, R, true, (x, y) -> x * y), TestBackends.download(b, m), "scaleRows");
                }
                try (DeviceMatrix m = TestBackends.upload(b, t, Z, 3, 4)) {
                    b.hadamard(m, v, m);
                    assertSame(t, elementwise(t, V, false, (x, y) -> x * y), TestBackends.download(b, m),
                            "hadamard with a repeated row");
                }
            }
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.github.tangent4j.backend.BackendConformanceTest#backendsAndTypes")
    void sumsSignsCopiesAndFills(String name, DType t) {
        TestBackends.with(name, b -> {
            try (DeviceMatrix m = TestBackends.upload(b, t, Z, 3, 4);
                 DeviceMatrix cols = b.allocate(t, 1, 4);
                 DeviceMatrix rows = b.allocate(t, 3, 1);
                 DeviceMatrix copy = b.allocate(t, 3, 4)) {
                b.sum(m, 0, cols);
                b.sum(m, 1, rows);
                // columns: (NaN, -0, 3), (inf, 1, -inf), (-inf, -2, NaN), (0, 0.5, -1); rows: NaN (and inf - inf),
                // -0.5, NaN
                assertSame(t, new double[] {NAN, NAN, NAN, -0.5}, TestBackends.download(b, cols), "sum over rows");
                assertSame(t, new double[] {NAN, -0.5, NAN}, TestBackends.download(b, rows), "sum over columns");
                Tensor bits = b.signBits(m);
                // bit j set iff z > 0: row 0 (NaN, inf, -inf, 0) -> 0b0010, row 1 (-0, 1, -2, 0.5) -> 0b1010,
                // row 2 (3, -inf, NaN, -1) -> 0b0001
                assertEquals(0b0010L, bits.getLong(0, 0));
                assertEquals(0b1010L, bits.getLong(1, 0));
                assertEquals(0b0001L, bits.getLong(2, 0));
                b.copy(m, copy);
                assertSame(t, Z, TestBackends.download(b, copy), "copy");
                b.fill(copy.rows(1, 2), NAN);
                b.fill(copy.rows(2, 3), -INF);
                double[] expected = Z.clone();
                java.util.Arrays.fill(expected, 4, 8, NAN);
                java.util.Arrays.fill(expected, 8, 12, -INF);
                assertSame(t, expected, TestBackends.download(b, copy), "fill");
            }
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.github.tangent4j.backend.BackendConformanceTest#backendsAndTypes")
    void gemmsAndLayers(String name, DType t) {
        TestBackends.with(name, b -> {
            // x rows: (NaN, 1), (inf, 1), (-inf, 0.5), (1, 2); w = [[1, 0], [0, 1], [-1, 0]]
            double[] xs = {NAN, 1, INF, 1, -INF, 0.5, 1, 2};
            double[] ws = {1, 0, 0, 1, -1, 0};
            double[] bias = {0, -INF, 1};
            // x w^T: NaN * 0 is NaN and inf * 0 is NaN, so rows 0-2 are NaN where x's first entry meets a 0
            double[][] z = {{NAN, NAN, NAN}, {INF, NAN, -INF}, {-INF, NAN, INF}, {1, 2, -1}};
            try (DeviceMatrix x = TestBackends.upload(b, t, xs, 4, 2);
                 DeviceMatrix w = TestBackends.upload(b, t, ws, 3, 2);
                 DeviceMatrix bv = TestBackends.upload(b, t, bias, 1, 3);
                 DeviceMatrix out = b.allocate(t, 4, 3)) {
                b.gemm(false, true, 1, x, w, 0, out);
                assertSame(t, flat(z, null, Activation.IDENTITY), TestBackends.download(b, out), "gemm");
                for (Activation phi : new Activation[] {Activation.RELU, Activation.leakyRelu(0.1), Activation.ABS,
                    Activation.TANH, Activation.IDENTITY}) {
                    b.linear(1, x, w, bv, phi, out);
                    assertSame(t, flat(z, bias, phi), TestBackends.download(b, out), "linear " + phi);
                    Tensor bits = b.linearWithSigns(1, x, w, bv, phi, out);
                    assertSame(t, flat(z, bias, phi), TestBackends.download(b, out), "linearWithSigns " + phi);
                    // z + bias > 0: row 1 (inf, NaN, -inf) -> 0b001, row 2 (-inf, NaN, inf) -> 0b100, row 3 (1, -inf, 0) -> 0b001
                    assertEquals(java.util.List.of(0L, 0b001L, 0b100L, 0b001L), java.util.List.of(bits.getLong(0, 0),
                            bits.getLong(1, 0), bits.getLong(2, 0), bits.getLong(3, 0)), "signs " + phi);
                }
            }
        });
    }

    private static double[] flat(double[][] z, double[] bias, Activation phi) {
        double[] out = new double[z.length * z[0].length];
        for (int i = 0; i < z.length; i++) {
            for (int j = 0; j < z[i].length; j++) {
                out[i * z[i].length + j] = phi.value(z[i][j] + (bias == null ? 0 : bias[j]));
            }
        }
        return out;
    }
}
