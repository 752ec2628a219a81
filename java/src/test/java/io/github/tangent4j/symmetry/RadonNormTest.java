package io.github.tangent4j.symmetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.jacobian.Jacobians;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.patterns.RegionsAlongSegments;
import io.github.tangent4j.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The R-norm of a 1-D network equals the total variation of its derivative: the sum of the absolute slope
 * jumps at its breakpoints, found by the regions of the patterns family and the input Jacobian on each piece.
 */
class RadonNormTest {
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void equalsTheSlopeJumpsOfAOneDimensionalNetwork(String backendName) {
        TestBackends.with(backendName, backend -> {
            for (Activation phi : new Activation[] {Activation.RELU, Activation.leakyRelu(0.1), Activation.leakyRelu(3),
                    Activation.ABS}) {
                Mlp mlp = oneDimensional(phi);
                RadonNorm.Result r = RadonNorm.of(mlp).compute();
                // units 0 and 6 (= -2 x unit 0) share a hyperplane, so do 1 and 7 (= -unit 1, cancelling on output 0)
                assertEquals(6, r.hyperplanes());
                Tensor a = Tensor.of(new double[] {-3}, 1, 1);
                Tensor b = Tensor.of(new double[] {3}, 1, 1);
                double[] t = RegionsAlongSegments.compute(backend, mlp, a, b).get(0).breakpoints();
                assertEquals(6, t.length, phi + ": breakpoints");
                double[] mids = new double[t.length + 1];
                for (int i = 0; i <= t.length; i++) {
                    double lo = i == 0 ? 0 : t[i - 1];
                    double hi = i == t.length ? 1 : t[i];
                    mids[i] = -3 + 6 * (lo + hi) / 2;
                }
                Tensor slopes = Jacobians.of(mlp).input(backend, Tensor.of(mids, mids.length, 1));   // (pieces, 2, 1)
                for (int o = 0; o < 2; o++) {
                    double tv = 0;
                    for (int i = 0; i < t.length; i++) {
                        tv += Math.abs(slopes.get(i + 1, o, 0) - slopes.get(i, o, 0));
                    }
                    assertEquals(tv, r.perOutput()[o], 1e-12 * tv, phi + " output " + o);
                    assertTrue(r.naiveBound()[o] >= r.perOutput()[o] * (1 - 1e-12));
                }
                assertEquals(r.perOutput()[0] + r.perOutput()[1], r.total(), 1e-12 * r.total());
                // the cancelling antiparallel pair makes the naive bound strictly larger on output 0
                assertTrue(r.naiveBound()[0] > r.perOutput()[0] + 0.1, phi.toString());
            }
        });
    }

    @Test
    void balancedPenaltyIsHalfTheWeightDecayOfTheUnitBalancedNetworkWithoutBiases() {
        Mlp mlp = Nets.random(51, Activation.RELU, 3, 7, 2);
        HostNetwork net = HostNetwork.of(mlp);
        double[][] c = new double[1][7];
        for (int k = 0; k < 7; k++) {
            c[0][k] = Math.sqrt(Math.sqrt(net.outNorm2(0, k) / net.weightNorm2(0, k)));
        }
        Mlp balanced = Rescaling.apply(mlp, c);
        double wd = 0;
        for (Layer layer : balanced.layers()) {
            for (double v : layer.weight().toDoubleArray()) {
                wd += v * v;
            }
        }
        assertEquals(wd / 2, RadonNorm.of(mlp).compute().balancedPenalty(), 1e-12 * wd);
        assertEquals(wd / 2, RadonNorm.of(balanced).compute().balancedPenalty(), 1e-12 * wd);
    }

    @Test
    void layerPenaltyIsAnInvariantOfTheOrbitAndSeesPlantedRanks() {
        Mlp mlp = Nets.random(52, Activation.RELU, 4, 6, 5, 3);
        // a rank-2 middle weight matrix: (5 x 6) = (5 x 2)(2 x 6)
        SplittableRandom rng = new SplittableRandom(53);
        double[][] lowRank = new double[5][6];
        double[][] u = new double[5][2];
        double[][] v = new double[2][6];
        for (double[] row : u) {
            row[0] = rng.nextDouble(-1, 1);
            row[1] = rng.nextDouble(-1, 1);
        }
        for (double[] row : v) {
            for (int k = 0; k < 6; k++) {
                row[k] = rng.nextDouble(-1, 1);
            }
        }
        for (int i = 0; i < 5; i++) {
            for (int k = 0; k < 6; k++) {
                lowRank[i][k] = u[i][0] * v[0][k] + u[i][1] * v[1][k];
            }
        }
        Mlp planted = new Mlp(List.of(mlp.layers().get(0), new Layer(Tensor.of(lowRank), mlp.layers().get(1).bias()),
                mlp.layers().get(2)), mlp.activation(), Parameterization.STANDARD);
        LayerPenalty.Result r = LayerPenalty.of(planted).compute();
        assertEquals(2, r.ranks()[1]);
        assertEquals(4, r.ranks()[0]);
        assertEquals(3, r.ranks()[2]);
        assertEquals(5, r.singularValues().get(1).length);
        Mlp moved = Rescaling.permute(Rescaling.apply(planted, Nets.randomScales(planted, rng)),
                Nets.randomOrder(planted, rng));
        LayerPenalty.Result s = LayerPenalty.of(moved).compute();
        for (int h = 0; h < 2; h++) {
            assertEquals(r.perLayer()[h], s.perLayer()[h], 1e-8 * r.perLayer()[h]);
        }
        assertEquals(r.total(), r.perLayer()[0] + r.perLayer()[1], 1e-12 * r.total());
    }

    @Test
    void refusesDeepNetworksAndTanh() {
        assertThrows(IllegalArgumentException.class, () -> RadonNorm.of(Nets.random(1, Activation.RELU, 2, 3, 3, 1)).compute());
        assertThrows(IllegalArgumentException.class, () -> RadonNorm.of(Nets.random(1, Activation.TANH, 2, 3, 1)).compute());
    }

    /**
     * f: R -> R^2 with six random units whose breakpoints -b/w lie in [-2, 2], a seventh unit equal to -2 times
     * unit 0 and an eighth equal to -unit 1 whose output-0 weight cancels unit 1's jump ({@code relu(z) - relu(-z) = z}
     * for relu; for leaky_relu and abs the same parameters cancel too: the jumps are kappa v ||w|| for either sign).
     */
    private static Mlp oneDimensional(Activation phi) {
        SplittableRandom rng = new SplittableRandom(54);
        double[][] w = new double[8][1];
        double[] b = new double[8];
        double[][] v = new double[2][8];
        for (int k = 0; k < 6; k++) {
            w[k][0] = (rng.nextBoolean() ? 1 : -1) * rng.nextDouble(0.5, 2);
            b[k] = -w[k][0] * rng.nextDouble(-2, 2);
            v[0][k] = rng.nextDouble(-1, 1);
            v[1][k] = rng.nextDouble(-1, 1);
        }
        w[6][0] = -2 * w[0][0];
        b[6] = -2 * b[0];
        v[0][6] = rng.nextDouble(-1, 1);
        v[1][6] = rng.nextDouble(-1, 1);
        w[7][0] = -w[1][0];
        b[7] = -b[1];
        v[0][7] = -v[0][1];
        v[1][7] = rng.nextDouble(-1, 1);
        return new Mlp(List.of(new Layer(Tensor.of(w), Tensor.of(b, 8)), new Layer(Tensor.of(v), Tensor.of(new double[] {
            0.3, -0.2}, 2))), phi, Parameterization.STANDARD);
    }
}
