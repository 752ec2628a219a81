package io.github.tangent4j.symmetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Balancing: the same function, the least weight decay, balanced units, the closed form, one limit per orbit. */
class BalancingTest {
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void keepsTheFunctionAndBeatsRandomRescalings(String backendName) {
        TestBackends.with(backendName, backend -> {
            SplittableRandom rng = new SplittableRandom(3);
            for (Mlp mlp : List.of(Nets.random(11, Activation.RELU, 3, 6, 5, 4, 2),
                    Mlp.random(12, Activation.leakyRelu(0.2), Parameterization.ntk(1.2, 0.3), DType.F64, 2, 5, 3, 1))) {
                // start from a badly scaled point of the orbit
                Mlp start = Rescaling.apply(mlp, Nets.randomScales(mlp, rng));
                Balancing.Result r = Balancing.of(start).compute();
                assertTrue(r.converged(), "converged in " + r.sweeps());
                assertTrue(r.zeroed().isEmpty());
                Nets.assertSameOutputs(backend, start, r.network(), Nets.inputs(1, 50, mlp.inputDim()), 1e-11);
                assertEquals(Balancing.weightDecay(start), r.weightDecayBefore(), 0);
                assertEquals(Balancing.weightDecay(r.network()), r.weightDecayAfter(), 1e-12 * r.weightDecayAfter());
                assertTrue(r.weightDecayAfter() <= r.weightDecayBefore());
                for (int trial = 0; trial < 1000; trial++) {
                    // even trials: near the balanced point; odd ones: anywhere on the orbit
                    Mlp other = trial % 2 == 0 ? Rescaling.apply(r.network(), smallScales(start, rng))
                            : Rescaling.apply(start, Nets.randomScales(start, rng));
                    assertTrue(r.weightDecayAfter() <= Balancing.weightDecay(other) * (1 + 1e-12),
                            "random rescaling " + trial + " has a smaller weight decay");
                }
                HostNetwork net = HostNetwork.of(r.network());
                for (int h = 0; h < net.hiddenLayers(); h++) {
                    for (int j = 0; j < net.width(h); j++) {
                        assertEquals(net.inNorm2(h, j), net.outNorm2(h, j), 1e-9 * net.inNorm2(h, j), "unit " + h + "," + j);
                    }
                }
            }
        });
    }

    @Test
    void oneHiddenLayerIsExactInOnePass() {
        Mlp mlp = Nets.random(13, Activation.RELU, 4, 7, 3);
        Balancing.Result r = Balancing.of(mlp).compute();
        assertEquals(1, r.sweeps());
        // closed form: min over c of c^2 in + out / c^2 = 2 sqrt(in out) per unit
        double expected = 0;
        Layer first = mlp.layers().get(0);
        Layer second = mlp.layers().get(1);
        for (int j = 0; j < 7; j++) {
            double in = 0;
            for (int k = 0; k < 4; k++) {
                in += sq(first.weight().get(j, k));
            }
            in += sq(first.bias().get(j));
            double out = 0;
            for (int o = 0; o < 3; o++) {
                out += sq(second.weight().get(o, j));
            }
            expected += 2 * Math.sqrt(in * out);
        }
        assertEquals(expected, r.weightDecayAfter(), 1e-13 * expected);
    }

    @Test
    void twoPointsOfOneOrbitReachTheSameLimit() {
        SplittableRandom rng = new SplittableRandom(4);
        Mlp mlp = Nets.random(14, Activation.ABS, 3, 5, 6, 4, 2);
        Mlp a = Balancing.of(Rescaling.apply(mlp, Nets.randomScales(mlp, rng))).compute().network();
        Mlp b = Balancing.of(Rescaling.apply(mlp, Nets.randomScales(mlp, rng))).compute().network();
        for (int l = 0; l < mlp.layers().size(); l++) {
            assertClose(a.layers().get(l).weight(), b.layers().get(l).weight(), 1e-8);
            assertClose(a.layers().get(l).bias(), b.layers().get(l).bias(), 1e-8);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void zeroesUnitsWithoutIncomingOrOutgoingWeights(String backendName) {
        TestBackends.with(backendName, backend -> {
            Mlp mlp = Nets.random(15, Activation.RELU, 2, 4, 3, 1);
            Tensor w0 = mlp.layers().get(0).weight().copy();
            Tensor b0 = mlp.layers().get(0).bias().copy();
            Tensor w1 = mlp.layers().get(1).weight().copy();
            for (int k = 0; k < 2; k++) {
                w0.set(0, 1, k);   // unit (0, 1): no incoming weights or bias
            }
            b0.set(0, 1);
            for (int o = 0; o < 3; o++) {
                w1.set(0, o, 2);   // unit (0, 2): no outgoing weights
            }
            Mlp planted = new Mlp(List.of(new Layer(w0, b0), new Layer(w1, mlp.layers().get(1).bias()),
                    mlp.layers().get(2)), mlp.activation(), mlp.parameterization());
            Balancing.Result r = Balancing.of(planted).compute();
            assertTrue(r.converged());
            assertEquals(List.of(new Unit(0, 1), new Unit(0, 2)), r.zeroed());
            HostNetwork net = HostNetwork.of(r.network());
            assertEquals(0, net.inNorm2(0, 1) + net.outNorm2(0, 1) + net.inNorm2(0, 2) + net.outNorm2(0, 2));
            Nets.assertSameOutputs(backend, planted, r.network(), Nets.inputs(2, 40, 2), 1e-12);
        });
    }

    @Test
    void refusesTanhAndBadOptions() {
        assertThrows(IllegalArgumentException.class, () -> Balancing.of(Nets.random(1, Activation.TANH, 2, 3, 1)));
        Balancing relu = Balancing.of(Nets.random(1, Activation.RELU, 2, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> relu.withTolerance(0));
        assertThrows(IllegalArgumentException.class, () -> relu.withMaxSweeps(0));
        Balancing.Result capped = Balancing.of(
                Rescaling.apply(Nets.random(2, Activation.RELU, 2, 4, 4, 1), new double[][] {
                    {100, 1, 1, 1}, {1, 0.01, 1, 1}})).withMaxSweeps(1).compute();
        assertFalse(capped.converged());
        assertEquals(1, capped.sweeps());
    }

    /** Scales e^u, u uniform in [-0.5, 0.5]: random points near the given one. */
    private static double[][] smallScales(Mlp mlp, SplittableRandom rng) {
        double[][] s = new double[mlp.depth()][];
        for (int h = 0; h < s.length; h++) {
            s[h] = new double[(int) mlp.layers().get(h).out()];
            for (int j = 0; j < s[h].length; j++) {
                s[h][j] = Math.exp(rng.nextDouble(-0.5, 0.5));
            }
        }
        return s;
    }

    private static void assertClose(Tensor a, Tensor b, double rel) {
        double scale = 1;
        for (long i = 0; i < a.size(); i++) {
            scale = Math.max(scale, Math.abs(a.getFlat(i)));
        }
        for (long i = 0; i < a.size(); i++) {
            assertEquals(a.getFlat(i), b.getFlat(i), rel * scale, "element " + i);
        }
    }

    private static double sq(double v) {
        return v * v;
    }
}
