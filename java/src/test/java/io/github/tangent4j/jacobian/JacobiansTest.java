package io.github.tangent4j.jacobian;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.ParameterLayout;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.nn.ScalarMlp;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Batched Jacobians against scalar materialised products, finite differences and each other, on every backend. */
class JacobiansTest {
    static final List<Activation> ACTIVATIONS = List.of(Activation.RELU, Activation.leakyRelu(0.2), Activation.ABS,
            Activation.TANH, Activation.ERF, Activation.IDENTITY);

    static Stream<Arguments> cases() {
        List<Parameterization> params = List.of(Parameterization.STANDARD, Parameterization.ntk(1.3, 0.2));
        return TestBackends.names().stream().flatMap(b -> ACTIVATIONS.stream().flatMap(a -> params.stream()
                .map(p -> Arguments.of(b, a, p))));
    }

    static Stream<Arguments> backendsAndDtypes() {
        return TestBackends.names().stream().flatMap(b -> Stream.of(DType.F64, DType.F32).map(t -> Arguments.of(b, t)));
    }

    static Tensor inputs(long seed, DType dtype, long n, long d) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor x = Tensor.allocate(dtype, n, d);
        for (long i = 0; i < x.size(); i++) {
            x.setFlat(i, TestBackends.round(dtype, rng.nextGaussian()));
        }
        return x;
    }

    /** A network with the first hidden layer bias-free, so both kinds of layer are covered. */
    static Mlp network(long seed, Activation phi, Parameterization p, DType dtype, long... widths) {
        Mlp m = Mlp.random(seed, phi, p, dtype, widths);
        List<Layer> layers = new ArrayList<>(m.layers());
        layers.set(0, new Layer(layers.get(0).weight(), null));
        return new Mlp(layers, phi, p);
    }

    static void assertClose(double expected, double actual, double rel, String what) {
        assertEquals(expected, actual, rel * Math.max(1, Math.abs(expected)), what);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void inputJacobianMatchesMaterialisedProductsInBothModes(String backendName, Activation phi, Parameterization p) {
        // 10 outputs: the Java backend's sparse reverse sweep (Backend.hadamardGemm) for ReLU
        for (long[] widths : new long[][] {{5, 9, 7, 3}, {2, 8, 6, 4}, {3, 4}, {6, 16, 12, 10}}) {
            Mlp mlp = network(11, phi, p, DType.F64, widths);
            Tensor x = inputs(3, DType.F64, 6, widths[0]);
            TestBackends.with(backendName, backend -> {
                for (Jacobians.Mode mode : Jacobians.Mode.values()) {
                    // tiles of one example too, where the sweep starts from a copy of the output weight
                    for (long tileRows : new long[] {Long.MAX_VALUE, 1}) {
                        Tensor j = Jacobians.of(mlp).withMode(mode).withMaxTileRows(tileRows).input(backend, x);
                        assertArrayEquals(new long[] {6, mlp.outputDim(), mlp.inputDim()}, j.shape());
                        for (int i = 0; i < 6; i++) {
                            double[][] ref = ScalarJacobian.input(mlp, ScalarMlp.row(x, i));
                            for (int o = 0; o < ref.length; o++) {
                                for (int d = 0; d < ref[o].length; d++) {
                                    assertClose(ref[o][d], j.get(i, o, d), 1e-12, mode + " tiles of " + tileRows
                                            + " example " + i + " [" + o + ", " + d + "]");
                                }
                            }
                        }
                    }
                }
            });
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void parameterJacobianMatchesMaterialisedProductsAndItsBlocks(String backendName, Activation phi,
            Parameterization p) {
        Mlp mlp = network(12, phi, p, DType.F64, 4, 6, 5, 3);
        Tensor x = inputs(4, DType.F64, 5, 4);
        TestBackends.with(backendName, backend -> {
            ParameterJacobian jp = Jacobians.of(mlp).parameters(backend, x);
            Tensor t = jp.tensor();
            assertMaterialised(mlp, x, t);
            ParameterLayout layout = jp.layout();
            for (int l = 0; l < mlp.layers().size(); l++) {
                Layer layer = mlp.layers().get(l);
                Tensor w = jp.weight(l);
                assertArrayEquals(new long[] {5, 3, layer.out(), layer.in()}, w.shape());
                assertEquals(t.get(4, 2, layout.weightOffset(l) + layer.in() + 1), w.get(4, 2, 1, 1));
                if (layer.hasBias()) {
                    assertEquals(t.get(3, 1, layout.biasOffset(l) + 2), jp.bias(l).get(3, 1, 2));
                } else {
                    int ll = l;
                    assertThrows(IllegalArgumentException.class, () -> jp.bias(ll));
                }
            }
        });
    }

    /** Ten outputs: the kept signals' GEMMs through the Java backend's sparse Backend.hadamardGemm for ReLU. */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void parameterJacobianOfTenOutputsMatchesMaterialisedProducts(String backendName, Activation phi,
            Parameterization p) {
        Mlp mlp = network(13, phi, p, DType.F64, 3, 12, 9, 10);
        Tensor x = inputs(5, DType.F64, 6, 3);
        TestBackends.with(backendName, backend -> assertMaterialised(mlp, x,
                Jacobians.of(mlp).parameters(backend, x).tensor()));
    }

    private static void assertMaterialised(Mlp mlp, Tensor x, Tensor t) {
        long n = x.dim(0);
        assertArrayEquals(new long[] {n, mlp.outputDim(), mlp.parameterCount()}, t.shape());
        for (int i = 0; i < n; i++) {
            double[][] ref = ScalarJacobian.parameters(mlp, ScalarMlp.row(x, i));
            for (int o = 0; o < ref.length; o++) {
                for (int q = 0; q < ref[o].length; q++) {
                    assertClose(ref[o][q], t.get(i, o, q), 1e-12, "example " + i + " output " + o + " param " + q);
                }
            }
        }
    }

    /** Central differences of f in x and in the stored parameters, for smooth activations and ReLU away from kinks. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void finiteDifferencesAgreeInInputsAndParameters(String backendName) {
        for (Activation phi : List.of(Activation.TANH, Activation.ERF, Activation.RELU)) {
            Mlp mlp = network(21, phi, Parameterization.ntk(1.1, 0.4), DType.F64, 3, 7, 5, 2);
            Tensor x = inputs(5, DType.F64, 4, 3);
            double h = 1e-6;
            TestBackends.with(backendName, backend -> {
                Tensor j = Jacobians.of(mlp).input(backend, x);
                Tensor jp = Jacobians.of(mlp).parameters(backend, x).tensor();
                for (int i = 0; i < 4; i++) {
                    double[] xi = ScalarMlp.row(x, i);
                    if (phi == Activation.RELU) {
                        assertAwayFromKinks(mlp, xi, 1e-3);
                    }
                    for (int d = 0; d < 3; d++) {
                        double[] up = xi.clone();
                        double[] down = xi.clone();
                        up[d] += h;
                        down[d] -= h;
                        double[] fu = ScalarMlp.forward(mlp, up);
                        double[] fd = ScalarMlp.forward(mlp, down);
                        for (int o = 0; o < 2; o++) {
                            assertClose((fu[o] - fd[o]) / (2 * h), j.get(i, o, d), 1e-7, phi + " d/dx " + i);
                        }
                    }
                    for (long q = 0; q < mlp.parameterCount(); q += 7) {
                        double[] fu = ScalarMlp.forward(perturbed(mlp, q, h), xi);
                        double[] fd = ScalarMlp.forward(perturbed(mlp, q, -h), xi);
                        for (int o = 0; o < 2; o++) {
                            assertClose((fu[o] - fd[o]) / (2 * h), jp.get(i, o, q), 1e-7, phi + " d/dtheta " + q);
                        }
                    }
                }
            });
        }
    }

    private static void assertAwayFromKinks(Mlp mlp, double[] x, double margin) {
        double[][] z = ScalarJacobian.preactivations(mlp, x);
        for (int l = 0; l < mlp.depth(); l++) {
            for (double v : z[l]) {
                assertTrue(Math.abs(v) > margin, "test input too close to a kink: " + v);
            }
        }
    }

    /** The network with flat parameter q (state-dict order) moved by {@code delta}. */
    static Mlp perturbed(Mlp mlp, long q, double delta) {
        ParameterLayout layout = ParameterLayout.of(mlp);
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < mlp.layers().size(); l++) {
            Layer layer = mlp.layers().get(l);
            Tensor w = layer.weight().copy();
            Tensor b = layer.hasBias() ? layer.bias().copy() : null;
            long wo = layout.weightOffset(l);
            if (q >= wo && q < wo + w.size()) {
                w.setFlat(q - wo, w.getFlat(q - wo) + delta);
            } else if (b != null && q >= layout.biasOffset(l) && q < layout.biasOffset(l) + b.size()) {
                b.setFlat(q - layout.biasOffset(l), b.getFlat(q - layout.biasOffset(l)) + delta);
            }
            layers.add(new Layer(w, b));
        }
        return new Mlp(layers, mlp.activation(), mlp.parameterization());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndDtypes")
    void jvpsVjpsAndNormsAgreeWithTheMaterialisedJacobians(String backendName, DType dtype) {
        double tol = TestBackends.tolerance(dtype) * (dtype == DType.F32 ? 10 : 1);
        Mlp mlp = network(31, Activation.TANH, Parameterization.STANDARD, dtype, 4, 9, 6, 3);
        long n = 7;
        Tensor x = inputs(8, dtype, n, 4);
        Tensor t = inputs(9, dtype, n, 4);
        Tensor c = inputs(10, dtype, n, 3);
        Tensor v = inputs(11, dtype, mlp.parameterCount(), 1).reshape(mlp.parameterCount());
        TestBackends.with(backendName, backend -> {
            Jacobians jac = Jacobians.of(mlp);
            Tensor j = jac.input(backend, x);
            Tensor jp = jac.parameters(backend, x).tensor();
            Tensor jvp = jac.jvp(backend, x, t);
            Tensor vjp = jac.vjp(backend, x, c);
            Tensor jvpP = jac.jvpParameters(backend, x, v);
            Tensor vjpP = jac.vjpParameters(backend, x, c);
            JacobianNorms norms = jac.inputNorms(backend, x);
            double meanNorm = 0;
            for (int i = 0; i < n; i++) {
                double norm = 0;
                for (int o = 0; o < 3; o++) {
                    double ref = 0;
                    for (int d = 0; d < 4; d++) {
                        ref += j.get(i, o, d) * t.get(i, d);
                        norm += j.get(i, o, d) * j.get(i, o, d);
                    }
                    assertClose(ref, jvp.get(i, o), tol, "jvp");
                    double refP = 0;
                    for (long q = 0; q < mlp.parameterCount(); q++) {
                        refP += jp.get(i, o, q) * v.getFlat(q);
                    }
                    assertClose(refP, jvpP.get(i, o), tol, "parameter jvp");
                }
                for (int d = 0; d < 4; d++) {
                    double ref = 0;
                    for (int o = 0; o < 3; o++) {
                        ref += c.get(i, o) * j.get(i, o, d);
                    }
                    assertClose(ref, vjp.get(i, d), tol, "vjp");
                }
                assertClose(norm, norms.perExample().getFlat(i), tol, "norm " + i);
                meanNorm += norm / n;
            }
            assertClose(meanNorm, norms.mean(), tol, "mean norm");
            for (long q = 0; q < mlp.parameterCount(); q++) {
                double ref = 0;
                for (int i = 0; i < n; i++) {
                    for (int o = 0; o < 3; o++) {
                        ref += c.get(i, o) * jp.get(i, o, q);
                    }
                }
                assertClose(ref, vjpP.getFlat(q), tol, "parameter vjp " + q);
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void tilesGiveTheSameBitsAsOneTile(String backendName) {
        Mlp mlp = network(41, Activation.RELU, Parameterization.STANDARD, DType.F64, 6, 10, 8, 2);
        Tensor x = inputs(12, DType.F64, 17, 6);
        TestBackends.with(backendName, backend -> {
            List<Long> progress = new ArrayList<>();
            Jacobians whole = Jacobians.of(mlp);
            Jacobians tiled = Jacobians.of(mlp).withMaxTileRows(3).withProgress((done, total) -> progress.add(done));
            assertArrayEquals(whole.input(backend, x).toDoubleArray(), tiled.input(backend, x).toDoubleArray());
            assertEquals(List.of(3L, 6L, 9L, 12L, 15L, 17L), progress);
            assertArrayEquals(whole.parameters(backend, x).tensor().toDoubleArray(),
                    tiled.parameters(backend, x).tensor().toDoubleArray());
        });
    }

    /** Dyadic weights and inputs that put pre-activations exactly on the kink: CLI.md's derivative convention, bit for bit. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void kinksFollowPyTorchsConventionExactly(String backendName) {
        Tensor w0 = Tensor.of(new double[][] {{1, -1}, {1, 1}, {0.5, 0.5}});
        Tensor b0 = Tensor.of(new double[] {0, -1, 0}, 3);
        Tensor w1 = Tensor.of(new double[][] {{1, 2, 4}});
        Tensor x = Tensor.of(new double[][] {{1, 1}});
        // z0 = (0, 1, 1): unit 0 sits on the kink
        double[][] expected = {{4, 4}, {4.25, 3.75}, {4, 4}};
        List<Activation> acts = List.of(Activation.RELU, Activation.leakyRelu(0.25), Activation.ABS);
        TestBackends.with(backendName, backend -> {
            for (int k = 0; k < acts.size(); k++) {
                Mlp mlp = new Mlp(List.of(new Layer(w0, b0), new Layer(w1, null)), acts.get(k),
                        Parameterization.STANDARD);
                for (Jacobians.Mode mode : List.of(Jacobians.Mode.REVERSE, Jacobians.Mode.FORWARD)) {
                    assertArrayEquals(expected[k], Jacobians.of(mlp).withMode(mode).input(backend, x).toDoubleArray(),
                            acts.get(k) + " " + mode);
                }
                Tensor jp = Jacobians.of(mlp).parameters(backend, x).tensor();
                double slope = k == 1 ? 0.25 : 0;
                // d f / d W0[0, :] = w1[0] * phi'(0) * x, and d f / d b0[0] = w1[0] * phi'(0)
                assertEquals(slope, jp.get(0, 0, 0));
                assertEquals(slope, jp.get(0, 0, 1));
                assertEquals(slope, jp.get(0, 0, 6));
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void backendsAgree(String backendName) {
        Mlp mlp = network(51, Activation.ERF, Parameterization.ntk(1.2, 0.1), DType.F64, 8, 16, 16, 4);
        Tensor x = inputs(13, DType.F64, 9, 8);
        double[][] ref = new double[2][];
        TestBackends.with("java", b -> {
            ref[0] = Jacobians.of(mlp).input(b, x).toDoubleArray();
            ref[1] = Jacobians.of(mlp).parameters(b, x).tensor().toDoubleArray();
        });
        TestBackends.with(backendName, b -> {
            double[] j = Jacobians.of(mlp).input(b, x).toDoubleArray();
            double[] jp = Jacobians.of(mlp).parameters(b, x).tensor().toDoubleArray();
            for (int i = 0; i < j.length; i++) {
                assertClose(ref[0][i], j[i], 1e-12, "input " + i);
            }
            for (int i = 0; i < jp.length; i++) {
                assertClose(ref[1][i], jp[i], 1e-12, "params " + i);
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void badInputsAreRejectedAndEmptyBatchesHaveTheirShapes(String backendName) {
        Mlp mlp = network(61, Activation.RELU, Parameterization.STANDARD, DType.F64, 3, 5, 2);
        TestBackends.with(backendName, backend -> {
            Jacobians jac = Jacobians.of(mlp);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> jac.input(backend, inputs(1, DType.F64, 4, 2)));
            assertTrue(e.getMessage().contains("x: expected shape (N, 3)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> jac.input(backend, inputs(1, DType.F32, 4, 3)));
            assertTrue(e.getMessage().contains("F32"), e.getMessage());
            Tensor bad = inputs(1, DType.F64, 4, 3);
            bad.set(Double.NaN, 2, 1);
            e = assertThrows(IllegalArgumentException.class, () -> jac.parameters(backend, bad));
            assertTrue(e.getMessage().contains("element 7 is NaN"), e.getMessage());
            Tensor x = inputs(1, DType.F64, 4, 3);
            e = assertThrows(IllegalArgumentException.class, () -> jac.jvp(backend, x, inputs(1, DType.F64, 3, 3)));
            assertTrue(e.getMessage().startsWith("tangent: expected shape (4, 3)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> jac.vjp(backend, x, inputs(1, DType.F64, 4, 3)));
            assertTrue(e.getMessage().startsWith("cotangent: expected shape (4, 2)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> jac.jvpParameters(backend, x, Tensor.allocate(DType.F64, 5)));
            assertTrue(e.getMessage().contains("(" + mlp.parameterCount() + ",)"), e.getMessage());

            Tensor empty = Tensor.allocate(DType.F64, 0, 3);
            assertArrayEquals(new long[] {0, 2, 3}, jac.input(backend, empty).shape());
            assertArrayEquals(new long[] {0, 2, mlp.parameterCount()}, jac.parameters(backend, empty).tensor().shape());
            assertArrayEquals(new long[] {0}, jac.inputNorms(backend, empty).perExample().shape());
            assertTrue(Double.isNaN(jac.inputNorms(backend, empty).mean()));
            assertArrayEquals(new long[] {0, 3},
                    jac.vjp(backend, empty, Tensor.allocate(DType.F64, 0, 2)).shape());
            assertEquals(0, jac.vjpParameters(backend, empty, Tensor.allocate(DType.F64, 0, 2)).getFlat(0));
            assertEquals(0, backend.openAllocations());
        });
    }

    /**
     * A parameter Jacobian larger than the device's memory (the Java backend reports a 16 MiB working set; the
     * emulated device gets a 4 MiB budget) is right across tiles (the device holds only a tile's factors; the
     * block is written on the host), and one that cannot fit even on the host is refused before anything is
     * allocated, naming the array and its bytes.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void largeParameterJacobiansAreTiledAndImpossibleOnesRefused(String backendName) {
        Mlp mlp = network(71, Activation.TANH, Parameterization.STANDARD, DType.F64, 3, 64, 64, 4);
        Tensor x = inputs(14, DType.F64, 200, 3);   // 200 * 4 * 4420 doubles = 28 MB
        TestBackends.with(backendName, backend -> {
            if (backendName.equals("cuda")) {
                io.github.tangent4j.backend.cuda.Emu.setMemoryBudget(4L << 20);
            }
            List<Long> progress = new ArrayList<>();
            Tensor jp = Jacobians.of(mlp).withProgress((done, total) -> progress.add(done)).withMaxTileRows(64)
                    .parameters(backend, x).tensor();
            assertEquals(List.of(64L, 128L, 192L, 200L), progress);
            for (int i = 0; i < 200; i += 37) {
                double[][] ref = ScalarJacobian.parameters(mlp, ScalarMlp.row(x, i));
                for (int o = 0; o < 4; o++) {
                    for (int q = 0; q < ref[o].length; q += 13) {
                        assertClose(ref[o][q], jp.get(i, o, q), 1e-12, "example " + i);
                    }
                }
            }
            Mlp huge = Mlp.random(72, Activation.RELU, Parameterization.STANDARD, DType.F64, 2, 1024, 1024, 10);
            Tensor many = inputs(15, DType.F64, 20_000, 2);   // N * O * P * 8 bytes = 1.7 TB
            RuntimeException e = assertThrows(RuntimeException.class, () -> Jacobians.of(huge).parameters(backend, many));
            assertTrue(e.getMessage().contains("(20000, 10, " + huge.parameterCount() + ")"), e.getMessage());
            assertTrue(e.getMessage().contains("TB") || e.getMessage().contains("bytes"), e.getMessage());
            assertEquals(0, backend.openAllocations());
        });
    }
}
