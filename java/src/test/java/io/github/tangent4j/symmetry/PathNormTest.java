package io.github.tangent4j.symmetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Path norms against explicit path enumeration, invariance under the symmetries, the gradient by finite differences. */
class PathNormTest {
    private static final double[] QS = {1, 2, 3};

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void equalsTheSumOverEveryPath(String backendName) {
        TestBackends.with(backendName, backend -> {
            List<Mlp> nets = List.of(Nets.random(1, Activation.RELU, 3, 4, 3, 2),
                    Nets.random(2, Activation.ABS, 2, 3, 2, 3, 1),
                    Mlp.random(3, Activation.leakyRelu(0.1), Parameterization.ntk(1.3, 0.4), DType.F64, 2, 4, 2),
                    withoutHiddenBias(Nets.random(4, Activation.RELU, 3, 3, 2)));
            for (Mlp mlp : nets) {
                for (double q : QS) {
                    double[] expected = Nets.bruteForcePathSums(mlp, q);
                    PathNorm.Result r = PathNorm.of(mlp).withQ(q).compute(backend);
                    double total = 0;
                    for (int o = 0; o < expected.length; o++) {
                        total += expected[o];
                        assertEquals(Math.pow(expected[o], 1 / q), r.perOutput()[o], 1e-12 * r.perOutput()[o],
                                mlp + " q " + q + " output " + o);
                    }
                    assertEquals(Math.pow(total, 1 / q), r.total(), 1e-12 * r.total(), mlp + " q " + q);
                }
            }
            // F32: the same within float rounding
            Mlp f32 = Nets.random(5, Activation.RELU, 3, 4, 2).to(DType.F32);
            double expected = Math.pow(java.util.Arrays.stream(Nets.bruteForcePathSums(f32, 2)).sum(), 0.5);
            assertEquals(expected, PathNorm.of(f32).withQ(2).compute(backend).total(), 1e-5 * expected);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void isUnchangedByRescalingsAndPermutations(String backendName) {
        TestBackends.with(backendName, backend -> {
            SplittableRandom rng = new SplittableRandom(7);
            Mlp mlp = Nets.random(8, Activation.RELU, 4, 6, 5, 3);
            for (double q : QS) {
                PathNorm.Result base = PathNorm.of(mlp).withQ(q).compute(backend);
                for (int trial = 0; trial < 5; trial++) {
                    Mlp moved = Rescaling.permute(Rescaling.apply(mlp, Nets.randomScales(mlp, rng)),
                            Nets.randomOrder(mlp, rng));
                    PathNorm.Result r = PathNorm.of(moved).withQ(q).compute(backend);
                    assertEquals(base.total(), r.total(), 1e-12 * base.total(), "q " + q);
                    for (int o = 0; o < 3; o++) {
                        assertEquals(base.perOutput()[o], r.perOutput()[o], 1e-12 * base.perOutput()[o]);
                    }
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void gradientMatchesCentralDifferences(String backendName) {
        TestBackends.with(backendName, backend -> {
            List<Mlp> nets = List.of(Nets.random(9, Activation.RELU, 3, 4, 3, 2),
                    Mlp.random(10, Activation.ABS, Parameterization.ntk(1.5, 0.5), DType.F64, 2, 3, 2));
            for (Mlp mlp : nets) {
                for (double q : QS) {
                    Tensor g = PathNorm.of(mlp).withQ(q).gradient(backend);
                    double[] theta = flat(mlp);
                    double step = 1e-6;
                    for (int i = 0; i < theta.length; i++) {
                        double[] plus = theta.clone();
                        double[] minus = theta.clone();
                        plus[i] += step;
                        minus[i] -= step;
                        double fd = (pathNorm(unflat(mlp, plus), q) - pathNorm(unflat(mlp, minus), q)) / (2 * step);
                        assertEquals(fd, g.getFlat(i), 1e-6 * Math.max(1, Math.abs(fd)), mlp + " q " + q + " parameter " + i);
                    }
                }
            }
        });
    }

    @Test
    void refusesActivationsWithoutRescalingSymmetryAndBadQ() {
        for (Activation phi : new Activation[] {Activation.TANH, Activation.ERF}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PathNorm.of(Nets.random(1, phi, 2, 3, 1)));
            assertTrue(e.getMessage().contains("activation") && e.getMessage().contains(phi.toString()), e.getMessage());
        }
        PathNorm p = PathNorm.of(Nets.random(1, Activation.RELU, 2, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> p.withQ(0.5));
        assertThrows(IllegalArgumentException.class, () -> p.withQ(Double.NaN));
    }

    /** The path norm by enumeration (the reference the gradient is differenced on). */
    private static double pathNorm(Mlp mlp, double q) {
        return Math.pow(java.util.Arrays.stream(Nets.bruteForcePathSums(mlp, q)).sum(), 1 / q);
    }

    private static double[] flat(Mlp mlp) {
        List<Double> v = new ArrayList<>();
        for (Layer l : mlp.layers()) {
            for (double x : l.weight().toDoubleArray()) {
                v.add(x);
            }
            if (l.hasBias()) {
                for (double x : l.bias().toDoubleArray()) {
                    v.add(x);
                }
            }
        }
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static Mlp unflat(Mlp mlp, double[] theta) {
        List<Layer> layers = new ArrayList<>();
        int i = 0;
        for (Layer l : mlp.layers()) {
            Tensor w = Tensor.allocate(DType.F64, l.weight().shape());
            for (long k = 0; k < w.size(); k++) {
                w.setFlat(k, theta[i++]);
            }
            Tensor b = null;
            if (l.hasBias()) {
                b = Tensor.allocate(DType.F64, l.bias().shape());
                for (long k = 0; k < b.size(); k++) {
                    b.setFlat(k, theta[i++]);
                }
            }
            layers.add(new Layer(w, b));
        }
        return new Mlp(layers, mlp.activation(), mlp.parameterization());
    }

    private static Mlp withoutHiddenBias(Mlp mlp) {
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < mlp.layers().size(); l++) {
            Layer layer = mlp.layers().get(l);
            layers.add(l == 0 ? new Layer(layer.weight(), null) : layer);
        }
        return new Mlp(layers, mlp.activation(), mlp.parameterization());
    }
}
