package io.github.tangent4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Backend#hadamardGemm} and {@link Backend#hadamardGemmToHost} on every backend against a product summed in
 * double on the host, term by term: slopes half of which are zero (as a ReLU layer's: the Java backend's sparse
 * kernels), an example whose row of s is all zero, leaky slopes (no zeros: the dense product), r from 1 to 24
 * (register tiles of 10 and 12 rows, several per example), n across the vector width; the host variant bit for
 * bit against the device one inside a larger tensor; a per example or one block shared by every example, left as it
 * was or holding a (.) s, s untouched; bad arguments refused with one line.
 */
class HadamardGemmTest {
    /** examples, r, k, n. */
    private static final int[][] SHAPES = {{1, 1, 1, 1}, {3, 10, 64, 100}, {7, 12, 33, 16}, {5, 22, 130, 17},
        {9, 24, 9, 33}, {4, 10, 512, 1}, {2, 8, 40, 65}, {3, 20, 50, 31}, {2, 3, 40, 65}};

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.github.tangent4j.backend.BackendConformanceTest#backendsAndTypes")
    void equalsTheProductOfTheHadamardProduct(String name, DType dtype) {
        SplittableRandom rnd = new SplittableRandom(11);
        TestBackends.with(name, be -> {
            for (int[] shape : SHAPES) {
                for (double leak : new double[] {0, 0.1}) {
                    check(be, dtype, rnd, shape[0], shape[1], shape[2], shape[3], leak, false);
                    if (shape[0] > 1) { // with one example a shared block is the stack
                        check(be, dtype, rnd, shape[0], shape[1], shape[2], shape[3], leak, true);
                    }
                }
            }
            assertEquals(0, be.openAllocations());
        });
    }

    /** One product; {@code shared}: a is one block of r rows for every example. */
    private static void check(Backend be, DType dtype, SplittableRandom rnd, int examples, int r, int k, int n,
            double leak, boolean shared) {
        int aRows = shared ? r : examples * r;
        double[] a = TestBackends.random(rnd, dtype, (long) aRows * k);
        double[] s = new double[examples * k];
        for (int e = 0; e < examples; e++) {
            for (int p = 0; p < k; p++) {
                boolean active = e != 1 && rnd.nextBoolean(); // example 1: every unit inactive
                s[e * k + p] = TestBackends.round(dtype, active ? rnd.nextDouble(0.5, 2) : leak);
            }
        }
        double[] b = TestBackends.random(rnd, dtype, (long) k * n);
        double alpha = TestBackends.round(dtype, 0.75);
        String what = examples + " examples x " + r + " rows, k " + k + ", n " + n + ", leak " + leak + ", shared "
                + shared;
        try (DeviceMatrix da = TestBackends.upload(be, dtype, a, aRows, k);
             DeviceMatrix ds = TestBackends.upload(be, dtype, s, examples, k);
             DeviceMatrix db = TestBackends.upload(be, dtype, b, k, n);
             DeviceMatrix dc = be.allocate(dtype, (long) examples * r, n)) {
            be.hadamardGemm(alpha, da, ds, db, dc);
            double[] consumed = TestBackends.download(be, da);
            double[] got = TestBackends.download(be, dc);
            double eps = dtype == DType.F64 ? 1e-15 : 1e-7;
            for (int row = 0; row < examples * r; row++) {
                int e = row / r;
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    double magnitude = 0;
                    for (int p = 0; p < k; p++) {
                        double term = a[(shared ? row % r : row) * k + p] * s[e * k + p] * b[p * n + j];
                        sum += term;
                        magnitude += Math.abs(term);
                    }
                    double want = alpha * sum;
                    assertEquals(want, got[row * n + j], 4 * eps * (k + 2) * alpha * magnitude + Double.MIN_NORMAL,
                            what + ": c[" + row + ", " + j + "]");
                }
            }
            for (int i = 0; i < a.length; i++) {
                double product = shared ? a[i] : TestBackends.round(dtype, a[i] * s[i / (r * k) * k + i % k]);
                if (consumed[i] != a[i] && consumed[i] != product) {
                    throw new AssertionError(what + ": a[" + i + "] is neither a nor a (.) s but " + consumed[i]);
                }
            }
            assertTrue(Arrays.equals(s, TestBackends.download(be, ds)), what + ": s changed");
            be.upload(TestBackends.tensor(dtype, a, aRows, k), da);

            Tensor big = Tensor.allocate(dtype, (long) examples * r + 2, n);
            for (int j = 0; j < n; j++) {
                big.set(-3, 0, j);
                big.set(-3, (long) examples * r + 1, j);
            }
            be.hadamardGemmToHost(alpha, da, ds, db, big.slice(1, (long) examples * r + 1));
            assertTrue(be.download(dc).segment().mismatch(big.slice(1, (long) examples * r + 1).segment()) < 0,
                    what + ": the host variant differs from the device one");
            for (int j = 0; j < n; j++) {
                assertEquals(-3, big.get(0, j), what + " row above");
                assertEquals(-3, big.get((long) examples * r + 1, j), what + " row below");
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.github.tangent4j.backend.BackendConformanceTest#backendsAndTypes")
    void refusesBadArgumentsInOneLine(String name, DType dtype) {
        TestBackends.with(name, be -> {
            try (DeviceMatrix a = be.allocate(dtype, 6, 4);
                 DeviceMatrix a4 = be.allocate(dtype, 4, 4);
                 DeviceMatrix s = be.allocate(dtype, 3, 4);
                 DeviceMatrix s5 = be.allocate(dtype, 3, 5);
                 DeviceMatrix b = be.allocate(dtype, 4, 5);
                 DeviceMatrix b3 = be.allocate(dtype, 3, 5);
                 DeviceMatrix c = be.allocate(dtype, 6, 5)) {
                assertEquals("s: expected 4 columns (a is 6 x 4) but was 3 x 5",
                        refused(() -> be.hadamardGemm(1, a, s5, b, c)));
                assertEquals("b: expected 4 rows (a is 6 x 4) but was 3 x 5",
                        refused(() -> be.hadamardGemm(1, a, s, b3, c)));
                assertEquals("c: expected 5 columns and a multiple of s's 3 rows but was 6 x 4",
                        refused(() -> be.hadamardGemm(1, a, s, b, a)));
                assertEquals("a: expected 6 rows (r = 2 per example) or 2 (one block shared by every example) but was "
                        + "4 x 4", refused(() -> be.hadamardGemm(1, a4, s, b, c)));
                assertThrows(IllegalArgumentException.class, () -> be.hadamardGemm(Double.NaN, a, s, b, c));
                assertEquals("c: expected " + dtype + " with a multiple of 5 elements (rows x 5) but was " + dtype
                        + " (6, 4)", refused(() -> be.hadamardGemmToHost(1, a, s, b, Tensor.allocate(dtype, 6, 4))));
            }
            assertEquals(0, be.openAllocations());
        });
    }

    private static String refused(org.junit.jupiter.api.function.Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }
}
