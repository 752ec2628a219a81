package io.github.tangent4j.convex;

import io.github.tangent4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ReLU program by the interior-point method against cvxopt's cone QP optima (fixtures from
 * make_fixtures.py), on both backends: certified to 1e-6 and below, with the certificate bracketing the
 * reference optimum and the network's objective equal to it; the 140-group fixture, where the augmented
 * Lagrangian does not reach 1e-6, included. (In double precision the method stops near a relative gap of
 * 1e-7: relu_2d reached 1.9e-7.)
 */
class ReluInteriorPointTest {
    static List<String> backends() {
        return ConvexFitTest.backends();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void certifiesTheConeSolversOptimum(String backend) {
        for (String name : List.of("relu_1d", "relu_2d", "relu_2d_many")) {
            Map<String, Tensor> f = ConvexFitTest.fixture(name);
            double beta = f.get("beta").getFlat(0);
            double reference = f.get("relu").getFlat(0);
            double tolerance = 1e-6;
            {
                io.github.tangent4j.backend.TestBackends.with(backend, b -> {
                    ConvexSolution s = ConvexFit.relu(ConvexFitTest.patterns(f)).withBias(true)
                            .withTolerance(tolerance).withReluSolver(ReluSolver.INTERIOR_POINT)
                            .fit(b, f.get("x"), f.get("y"), beta).getFirst();
                    String what = name + " tol " + tolerance;
                    assertTrue(s.converged(), what + ": not converged, gap " + s.gap());
                    assertTrue(s.gap() <= tolerance * s.objective(), what + " gap " + s.gap());
                    assertTrue(s.dualBound() <= reference + 1e-9, what + " dual " + s.dualBound() + " above " + reference);
                    assertTrue(s.objective() >= reference - 1e-9, what + " network below the optimum");
                    assertEquals(reference, s.objective(), 2 * tolerance * reference, what + " objective");
                    assertTrue(s.iterations() <= 60, what + ": " + s.iterations() + " iterations");
                });
            }
        }
    }
}
