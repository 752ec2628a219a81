package io.github.tangent4j.convex;

import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With every pattern, the convex program's dual bound is below the objective of every non-convex
 * training run (Pilanci and Ergen 2020, Theorem 1): 100 random restarts of gradient descent on width-8
 * networks never beat the certified optimum, and the convex network is at least as good as the best run.
 */
class GlobalOptimalityTest {
    static List<String> backends() {
        return TestBackends.names();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void convexOptimumIsBelowEveryRestart(String backend) {
        Map<String, Tensor> f = ConvexFitTest.fixture("relu_1d");
        Tensor x = f.get("x");
        Tensor y = f.get("y");
        double beta = f.get("beta").getFlat(0);
        TestBackends.with(backend, b -> {
            ConvexSolution s = ConvexFit.relu(PatternSet.all(Lifted.of(x, true))).withBias(true).withTolerance(1e-5)
                    .fit(b, x, y, beta).getFirst();
            assertTrue(s.converged(), "gap " + s.gap());
            double best = Double.POSITIVE_INFINITY;
            for (int seed = 0; seed < 100; seed++) {
                double run = NonConvexBaseline.train(x, y, true, beta, 8, 600, seed);
                assertTrue(s.dualBound() <= run, "restart " + seed + " reached " + run + " below the certified "
                        + s.dualBound());
                best = Math.min(best, run);
            }
            assertTrue(s.objective() <= best + s.gap(), "convex " + s.objective() + " vs best restart " + best);
        });
    }
}
