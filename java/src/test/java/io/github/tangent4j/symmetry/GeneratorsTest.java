package io.github.tangent4j.symmetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.jacobian.Jacobians;
import io.github.tangent4j.linalg.SingularValues;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The rescaling generators lie in the null space of the parameter Jacobian and span H dimensions. */
class GeneratorsTest {
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void parameterJacobianAnnihilatesTheGenerators(String backendName) {
        TestBackends.with(backendName, backend -> {
            for (Mlp mlp : List.of(Nets.random(31, Activation.RELU, 3, 5, 4, 2),
                    Mlp.random(32, Activation.leakyRelu(0.1), Parameterization.ntk(1.4, 0.2), DType.F64, 2, 4, 3, 3),
                    Nets.random(33, Activation.ABS, 3, 4, 2), Nets.random(34, Activation.IDENTITY, 2, 3, 3, 1))) {
                Tensor t = Rescaling.generators(mlp);   // (H, P)
                int h = (int) mlp.hiddenUnits();
                int p = (int) mlp.parameterCount();
                assertEquals(List.of((long) h, (long) p), List.of(t.dim(0), t.dim(1)));
                Tensor x = Nets.inputs(5, 25, mlp.inputDim());
                Tensor j = Jacobians.of(mlp).parameters(backend, x).tensor();   // (N, O, P)
                long rows = j.dim(0) * j.dim(1);
                double scale = 0;
                for (long i = 0; i < j.size(); i++) {
                    scale = Math.max(scale, Math.abs(j.getFlat(i)));
                }
                for (int u = 0; u < h; u++) {
                    double tmax = 0;
                    for (int k = 0; k < p; k++) {
                        tmax = Math.max(tmax, Math.abs(t.get(u, k)));
                    }
                    for (long r = 0; r < rows; r++) {
                        double s = 0;
                        for (int k = 0; k < p; k++) {
                            s += j.getFlat(r * p + k) * t.get(u, k);
                        }
                        assertEquals(0, s, 1e-13 * p * scale * tmax, mlp + " generator " + u + " row " + r);
                    }
                }
                double[] sv = SingularValues.of(t);
                int rank = 0;
                for (double v : sv) {
                    rank += v > Math.max(h, p) * Math.ulp(1.0) * sv[0] ? 1 : 0;
                }
                assertEquals(h, rank, "span of the generators of " + mlp);
            }
        });
    }

    @Test
    void refusesErf() {
        assertThrows(IllegalArgumentException.class, () -> Rescaling.generators(Nets.random(1, Activation.ERF, 2, 3, 1)));
        assertThrows(IllegalArgumentException.class,
                () -> Rescaling.flipSign(Nets.random(1, Activation.RELU, 2, 3, 1), 0, 0));
        assertThrows(IllegalArgumentException.class,
                () -> Rescaling.apply(Nets.random(1, Activation.RELU, 2, 3, 1), new double[][] {{1, -1, 1}}));
    }
}
