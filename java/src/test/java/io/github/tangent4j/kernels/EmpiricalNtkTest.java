package io.github.tangent4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.jacobian.Jacobians;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.ParameterLayout;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The structured empirical NTK against J J'^T contracted on the host from materialised parameter Jacobians. */
class EmpiricalNtkTest {
    static Stream<Arguments> cases() {
        List<Activation> acts = List.of(Activation.RELU, Activation.leakyRelu(0.2), Activation.ABS, Activation.TANH,
                Activation.ERF, Activation.IDENTITY);
        List<Parameterization> params = List.of(Parameterization.STANDARD, Parameterization.ntk(1.3, 0.2));
        return TestBackends.names().stream().flatMap(b -> acts.stream().flatMap(a -> params.stream()
                .map(p -> Arguments.of(b, a, p))));
    }

    static Tensor inputs(long seed, DType dtype, long n, long d) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor x = Tensor.allocate(dtype, n, d);
        for (long i = 0; i < x.size(); i++) {
            x.setFlat(i, TestBackends.round(dtype, rng.nextGaussian()));
        }
        return x;
    }

    /** A random network; {@code biasFree} drops the first layer's bias. */
    static Mlp network(long seed, Activation phi, Parameterization p, boolean biasFree, long... widths) {
        Mlp m = Mlp.random(seed, phi, p, DType.F64, widths);
        if (!biasFree) {
            return m;
        }
        List<Layer> layers = new ArrayList<>(m.layers());
        layers.set(0, new Layer(layers.get(0).weight(), null));
        return new Mlp(layers, phi, p);
    }

    /** sum over the parameters of layer {@code layer} (all when -1) of J[i, o, q] J2[j, o', q], as (N, N2, O, O). */
    static double[][][][] contract(Mlp mlp, Tensor j1, Tensor j2, int layer) {
        ParameterLayout lay = ParameterLayout.of(mlp);
        int n1 = (int) j1.dim(0);
        int n2 = (int) j2.dim(0);
        int o = (int) mlp.outputDim();
        long from = layer < 0 ? 0 : lay.weightOffset(layer);
        long to = layer < 0 ? lay.size() : from + mlp.layers().get(layer).parameterCount();
        double[][][][] k = new double[n1][n2][o][o];
        for (int i = 0; i < n1; i++) {
            for (int j = 0; j < n2; j++) {
                for (int a = 0; a < o; a++) {
                    for (int b = 0; b < o; b++) {
                        double s = 0;
                        for (long q = from; q < to; q++) {
                            s += j1.get(i, a, q) * j2.get(j, b, q);
                        }
                        k[i][j][a][b] = s;
                    }
                }
            }
        }
        return k;
    }

    static void assertClose(double expected, double actual, double rel, String what) {
        assertEquals(expected, actual, rel * Math.max(1, Math.abs(expected)), what);
    }

    static void assertKernel(double[][][][] ref, Tensor full, Tensor trace, Tensor diag, double rel) {
        for (int i = 0; i < ref.length; i++) {
            for (int j = 0; j < ref[i].length; j++) {
                double tr = 0;
                for (int a = 0; a < ref[i][j].length; a++) {
                    tr += ref[i][j][a][a];
                    for (int b = 0; b < ref[i][j].length; b++) {
                        assertClose(ref[i][j][a][b], full.get(i, j, a, b), rel, "full " + i + "," + j + "," + a + "," + b);
                        if (diag != null && i == j) {
                            assertClose(ref[i][i][a][b], diag.get(i, a, b), rel, "diagonal " + i);
                        }
                    }
                }
                assertClose(tr, trace.get(i, j), rel, "trace " + i + "," + j);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void structuredEqualsTheContractedMaterialisedJacobians(String backendName, Activation phi, Parameterization p) {
        // 10 outputs: the signals' GEMMs through the Java backend's sparse Backend.hadamardGemm for ReLU
        for (long[] widths : new long[][] {{3, 7, 5, 2}, {4, 6, 1}, {2, 3}, {3, 12, 9, 10}}) {
            for (boolean biasFree : new boolean[] {false, true}) {
                Mlp mlp = network(7, phi, p, biasFree, widths);
                Tensor x = inputs(1, DType.F64, 5, widths[0]);
                Tensor x2 = inputs(2, DType.F64, 3, widths[0]);
                TestBackends.with(backendName, backend -> {
                    Tensor j1 = Jacobians.of(mlp).parameters(backend, x).tensor();
                    Tensor j2 = Jacobians.of(mlp).parameters(backend, x2).tensor();
                    for (EmpiricalNtk.Method method : EmpiricalNtk.Method.values()) {
                        EmpiricalNtk ntk = EmpiricalNtk.of(mlp).withMethod(method);
                        assertKernel(contract(mlp, j1, j2, -1), ntk.full(backend, x, x2), ntk.trace(backend, x, x2), null,
                                1e-10);
                        assertKernel(contract(mlp, j1, j1, -1), ntk.full(backend, x, null), ntk.trace(backend, x, null),
                                ntk.diagonal(backend, x), 1e-10);
                    }
                    EmpiricalNtk perLayer = EmpiricalNtk.of(mlp).withPerLayer(true);
                    Tensor full = perLayer.full(backend, x, x2);
                    Tensor trace = perLayer.trace(backend, x, x2);
                    Tensor diag = perLayer.diagonal(backend, x);
                    assertArrayEquals(new long[] {mlp.layers().size(), 5, 3, mlp.outputDim(), mlp.outputDim()},
                            full.shape());
                    for (int l = 0; l < mlp.layers().size(); l++) {
                        long[] rest = {5, 3, mlp.outputDim(), mlp.outputDim()};
                        assertKernel(contract(mlp, j1, j2, l), full.slice(l, l + 1).reshape(rest),
                                trace.slice(l, l + 1).reshape(5, 3), null, 1e-10);
                        double[][][][] self = contract(mlp, j1, j1, l);
                        for (int i = 0; i < 5; i++) {
                            for (int a = 0; a < mlp.outputDim(); a++) {
                                assertClose(self[i][i][a][a], diag.get(l, i, a, a), 1e-10, "per-layer diagonal");
                            }
                        }
                    }
                });
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void tilesGiveTheSameBitsAndTheSymmetricKernelIsExactlySymmetric(String backendName) {
        Mlp mlp = network(9, Activation.RELU, Parameterization.ntk(1.4, 0.1), false, 4, 16, 12, 3);
        Tensor x = inputs(3, DType.F64, 23, 4);
        Tensor x2 = inputs(4, DType.F64, 11, 4);
        TestBackends.with(backendName, backend -> {
            for (EmpiricalNtk.Kind kind : EmpiricalNtk.Kind.values()) {
                for (Tensor right : new Tensor[] {null, x2}) {
                    if (kind == EmpiricalNtk.Kind.DIAGONAL && right != null) {
                        continue;
                    }
                    Tensor whole = EmpiricalNtk.of(mlp).compute(backend, kind, x, right);
                    List<Long> progress = new ArrayList<>();
                    Tensor tiled = EmpiricalNtk.of(mlp).withMaxTileRows(4).withProgress((d, t) -> progress.add(t))
                            .compute(backend, kind, x, right);
                    assertArrayEquals(whole.toDoubleArray(), tiled.toDoubleArray(), kind + " tiled");
                    long blocks = 6; // progress counts cells now: one call per tile
                    long expectedTiles = kind == EmpiricalNtk.Kind.DIAGONAL ? blocks
                            : right == null ? blocks * (blocks + 1) / 2 : blocks * 3;
                    assertEquals(expectedTiles, progress.size(), kind + " tiles");
                    if (right == null && kind != EmpiricalNtk.Kind.DIAGONAL) {
                        for (int i = 0; i < 23; i++) {
                            for (int j = 0; j < 23; j++) {
                                if (kind == EmpiricalNtk.Kind.TRACE) {
                                    assertEquals(tiled.get(i, j), tiled.get(j, i));
                                } else {
                                    for (int a = 0; a < 3; a++) {
                                        for (int b = 0; b < 3; b++) {
                                            assertEquals(tiled.get(i, j, a, b), tiled.get(j, i, b, a));
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void symmetricTraceInBlockRowsOnOddSizes(String backendName) {
        // 600 and 811 examples: 2 and 3 block rows of the lower triangle, of unequal heights
        for (int n : new int[] {600, 811}) {
            assertTrue(StructuredTrace.blockRows(n) < n && n % StructuredTrace.blockRows(n) != 0, "blocks of " + n);
            for (boolean biasFree : n == 600 ? new boolean[] {false, true} : new boolean[] {false}) {
                Mlp mlp = network(19 + n, Activation.RELU, Parameterization.ntk(1.2, 0.3), biasFree, 5, 7, 6, 3);
                Tensor x = inputs(n, DType.F64, n, 5);
                TestBackends.with(backendName, backend -> {
                    Tensor j = Jacobians.of(mlp).parameters(backend, x).tensor();
                    double[][][][] ref = contract(mlp, j, j, -1);
                    Tensor trace = EmpiricalNtk.of(mlp).trace(backend, x, null);
                    Tensor both = EmpiricalNtk.of(mlp).trace(backend, x, x.slice(0, n));
                    for (int i = 0; i < n; i++) {
                        for (int k = 0; k < n; k++) {
                            double tr = 0;
                            for (int a = 0; a < 3; a++) {
                                tr += ref[i][k][a][a];
                            }
                            assertClose(tr, trace.get(i, k), 1e-10, "trace " + i + "," + k);
                            assertClose(tr, both.get(i, k), 1e-10, "trace against a copy " + i + "," + k);
                            assertEquals(trace.get(i, k), trace.get(k, i), "symmetric " + i + "," + k);
                        }
                    }
                    Tensor f32 = EmpiricalNtk.of(mlp.to(DType.F32)).trace(backend, x.to(DType.F32), null);
                    for (int i = 0; i < n; i++) {
                        for (int k = 0; k < n; k++) {
                            assertClose(trace.get(i, k), f32.get(i, k), 1e-4, "f32 " + i + "," + k);
                        }
                    }
                });
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void backendsAgreeInF64AndF32(String backendName) {
        for (DType dtype : new DType[] {DType.F64, DType.F32}) {
            Mlp mlp = network(13, Activation.ERF, Parameterization.STANDARD, false, 5, 20, 20, 2).to(dtype);
            Tensor x = inputs(5, dtype, 9, 5);
            double[] ref = new double[0];
            double[][] holder = {ref};
            TestBackends.with("java", b -> holder[0] = EmpiricalNtk.of(mlp).full(b, x, null).toDoubleArray());
            TestBackends.with(backendName, b -> {
                double[] k = EmpiricalNtk.of(mlp).full(b, x, null).toDoubleArray();
                for (int i = 0; i < k.length; i++) {
                    assertClose(holder[0][i], k[i], TestBackends.tolerance(dtype), dtype + " element " + i);
                }
            });
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void badInputsEmptyBatchesAndInterruption(String backendName) {
        Mlp mlp = network(17, Activation.RELU, Parameterization.STANDARD, false, 3, 5, 2);
        TestBackends.with(backendName, backend -> {
            EmpiricalNtk ntk = EmpiricalNtk.of(mlp);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ntk.trace(backend, inputs(1, DType.F64, 4, 3), inputs(1, DType.F64, 4, 2)));
            assertTrue(e.getMessage().startsWith("x2: expected shape (N, 3)"), e.getMessage());
            Tensor bad = inputs(1, DType.F64, 4, 3);
            bad.set(Double.POSITIVE_INFINITY, 1, 0);
            e = assertThrows(IllegalArgumentException.class, () -> ntk.full(backend, bad, null));
            assertTrue(e.getMessage().contains("element 3 is Infinity"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> ntk.computeInto(backend, EmpiricalNtk.Kind.TRACE,
                    inputs(1, DType.F64, 4, 3), null, Tensor.allocate(DType.F64, 4, 5)));
            assertTrue(e.getMessage().startsWith("out: expected shape (4, 4)"), e.getMessage());
            assertArrayEquals(new long[] {0, 2, 2, 2},
                    ntk.full(backend, Tensor.allocate(DType.F64, 0, 3), inputs(1, DType.F64, 2, 3)).shape());
            assertArrayEquals(new long[] {0, 2, 2}, ntk.diagonal(backend, Tensor.allocate(DType.F64, 0, 3)).shape());
            Thread.currentThread().interrupt();
            try {
                assertThrows(CancellationException.class,
                        () -> ntk.withMaxTileRows(1).trace(backend, inputs(1, DType.F64, 4, 3), null));
            } finally {
                Thread.interrupted();
            }
            assertEquals(0, backend.openAllocations());
        });
    }
}
