package io.github.tangent4j.convex;

import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.testing.Gaussian;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The interior-point method where its Newton matrix is formed in single precision in its early iterations
 * (N >= {@link ReluInteriorPoint#SINGLE_PRECISION_MIN_EXAMPLES}): it still certifies the default 1e-6 on both
 * backends in tens of iterations. The certificate is independent of the Newton system (the network's objective
 * against a dual point checked against every group's constraint), so a wrong single-precision matrix would show
 * as directions that stall short of 1e-6, not as a false certificate. (The augmented Lagrangian is no reference
 * here: its network may leave the sampled patterns and fall below the sampled program's optimum.)
 */
class ReluInteriorPointTest {
    @ParameterizedTest
    @MethodSource("io.github.tangent4j.convex.ConvexFitTest#backends")
    void singlePrecisionNewtonMatrixStillCertifies(String backend) {
        int n = ReluInteriorPoint.SINGLE_PRECISION_MIN_EXAMPLES;
        double[] x = Gaussian.matrix(41, n, 2).toDoubleArray();
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {   // a two-neuron ReLU target plus a little noise
            y[i] = Math.max(0, x[2 * i] - 0.3 * x[2 * i + 1]) - 0.5 * Math.max(0, x[2 * i + 1] + 0.2)
                    + 0.05 * Math.sin(7.0 * i);
        }
        Tensor input = Tensor.of(x, n, 2);
        Tensor target = Tensor.of(y, n);
        double beta = 0.5;
        TestBackends.with(backend, b -> {
            PatternSet patterns = PatternSet.sampled(b, Lifted.of(input, true), 8, 3);
            ConvexSolution ipm = ConvexFit.relu(patterns).withBias(true).withTolerance(1e-6)
                    .withReluSolver(ReluSolver.INTERIOR_POINT).fit(b, input, target, beta).getFirst();
            assertTrue(ipm.converged(), "not converged, gap " + ipm.gap());
            assertTrue(ipm.gap() <= 1e-6 * ipm.objective(), "gap " + ipm.gap());
            assertTrue(ipm.dualBound() <= ipm.objective(), "dual " + ipm.dualBound() + " above " + ipm.objective());
            assertTrue(ipm.iterations() <= 60, ipm.iterations() + " iterations");
        });
    }
}
