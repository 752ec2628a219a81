package io.github.tangent4j.convex;

import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The exposed proximal-gradient steps start from zero and fit the targets; bad beta is refused. */
class GatedStepperTest {
    static List<String> backends() {
        return TestBackends.names();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void stepsFitTheTargets(String backend) {
        Map<String, Tensor> f = ConvexFitTest.fixture("relu_1d");
        double beta = f.get("beta").getFlat(0);
        Tensor lifted = Lifted.of(f.get("x"), true);
        TestBackends.with(backend, b -> {
            try (GatedStepper s = new GatedStepper(b, lifted, ConvexFitTest.patterns(f), f.get("y"), beta)) {
                double first = s.step();
                double last = first;
                for (int i = 0; i < 300; i++) {
                    last = s.step();
                }
                assertEquals(0.5 * sumOfSquares(f.get("y")), first, 1e-12, "the first step starts from 0");
                assertTrue(last < 0.5 * first, "the fit improves: " + first + " -> " + last);
                s.gemmsOnly();
            }
            assertThrows(IllegalArgumentException.class,
                    () -> new GatedStepper(b, lifted, ConvexFitTest.patterns(f), f.get("y"), 0));
        });
    }

    private static double sumOfSquares(Tensor t) {
        double s = 0;
        for (long i = 0; i < t.size(); i++) {
            s += t.getFlat(i) * t.getFlat(i);
        }
        return s;
    }
}
