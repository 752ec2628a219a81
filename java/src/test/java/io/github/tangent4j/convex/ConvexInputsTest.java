package io.github.tangent4j.convex;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input refused with one line; zero-norm columns; multiple outputs; the beta path. */
class ConvexInputsTest {
    static List<String> backends() {
        return TestBackends.names();
    }

    private static void refused(String start, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().startsWith(start) && !e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void badInputIsRefusedWithOneLine() {
        Map<String, Tensor> f = ConvexFitTest.fixture("relu_1d");
        Tensor x = f.get("x");
        Tensor y = f.get("y");
        ConvexFit fit = ConvexFit.relu(PatternSet.all(Lifted.of(x, true))).withBias(true);
        try (Backend b = TestBackends.open("java")) {
            refused("y: expected a float array of shape (6,)", () -> fit.fit(b, x, Tensor.of(new double[5], 5), 0.1));
            refused("beta: expected finite values > 0 but got 0", () -> fit.fit(b, x, y, 0.0));
            refused("beta: expected finite values > 0 but got -1", () -> fit.fit(b, x, y, 0.1, -1));
            refused("beta: expected at least one value", () -> fit.fit(b, x, y));
            Tensor bad = x.copy();
            bad.setFlat(2, Double.NaN);
            refused("x", () -> fit.fit(b, bad, y, 0.1));
            Tensor badY = y.copy();
            badY.setFlat(1, Double.POSITIVE_INFINITY);
            refused("y", () -> fit.fit(b, x, badY, 0.1));
            refused("patterns: expected patterns of 5 examples", () -> fit.fit(b, x.slice(0, 5), y.slice(0, 5), 0.1));
            refused("dictionary: expected directions of 2 entries", () -> ConvexFit.dictionary(Tensor.of(new double[3], 1, 3))
                    .withBias(true).fit(b, x, y, 0.1));
        }
        refused("tolerance: expected a relative gap in (0, 1)", () -> fit.withTolerance(0));
        refused("iterations: expected >= 1", () -> fit.withMaxIterations(0));
        assertEquals(Long.MAX_VALUE, ConvexFit.bytesNeeded(1L << 40, 1L << 40, io.github.tangent4j.tensor.DType.F64));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void zeroColumnsAndZeroDirectionsChangeNothing(String backend) {
        Map<String, Tensor> f = ConvexFitTest.fixture("lasso_2d");
        Tensor x = f.get("x");
        Tensor y = f.get("y");
        Tensor w = f.get("directions");
        double beta = f.get("beta").getFlat(0);
        // a zero input column, and a zero direction (its feature and its norm are 0)
        Tensor xz = Tensor.allocate(x.dtype(), x.dim(0), 3);
        Tensor wz = Tensor.allocate(w.dtype(), w.dim(0) + 1, 4);
        for (int i = 0; i < x.dim(0); i++) {
            xz.set(x.get(i, 0), i, 0);
            xz.set(x.get(i, 1), i, 2);
        }
        for (int k = 0; k < w.dim(0); k++) {
            wz.set(w.get(k, 0), k, 0);
            wz.set(w.get(k, 1), k, 2);
            wz.set(w.get(k, 2), k, 3);
        }
        TestBackends.with(backend, b -> {
            double plain = ConvexFit.dictionary(w).withBias(true).withTolerance(1e-10).fit(b, x, y, beta).getFirst()
                    .objective();
            ConvexSolution padded = ConvexFit.dictionary(wz).withBias(true).withTolerance(1e-10).fit(b, xz, y, beta)
                    .getFirst();
            assertTrue(Double.isFinite(padded.objective()) && padded.converged());
            assertEquals(plain, padded.objective(), 1e-9 * plain);
            // the ReLU program with a zero input column
            ConvexSolution relu = ConvexFit.relu(PatternSet.sampled(b, Lifted.of(xz, true), 50, 1)).withBias(true)
                    .withTolerance(1e-4).fit(b, xz, y, beta).getFirst();
            assertTrue(Double.isFinite(relu.objective()) && relu.gap() >= -1e-12);
        });
    }

    @ParameterizedTest
    @MethodSource("backends")
    void outputsAreSeparateProgramsAndThePathIsWarmStarted(String backend) {
        Map<String, Tensor> f = ConvexFitTest.fixture("lasso_2d");
        Tensor x = f.get("x");
        Tensor y = f.get("y");
        Tensor w = f.get("directions");
        Tensor y2 = Tensor.allocate(y.dtype(), y.dim(0), 2);
        for (int i = 0; i < y.dim(0); i++) {
            y2.set(y.getFlat(i), i, 0);
            y2.set(-2 * y.getFlat(i) + 0.3, i, 1);
        }
        Tensor second = Tensor.allocate(y.dtype(), y.dim(0));
        for (int i = 0; i < y.dim(0); i++) {
            second.setFlat(i, y2.get(i, 1));
        }
        TestBackends.with(backend, b -> {
            ConvexFit fit = ConvexFit.dictionary(w).withBias(true).withTolerance(1e-10);
            List<ConvexSolution> path = fit.fit(b, x, y2, 0.3, 0.1);
            for (int k = 0; k < 2; k++) {
                double beta = k == 0 ? 0.3 : 0.1;
                double one = fit.fit(b, x, y, beta).getFirst().objective();
                double two = fit.fit(b, x, second, beta).getFirst().objective();
                assertEquals(one + two, path.get(k).objective(), 1e-8 * (one + two), "beta " + beta);
                assertEquals(2, path.get(k).network().outputDim());
            }
            assertTrue(path.get(0).objective() > path.get(1).objective());
        });
    }
}
