package io.github.tangent4j.patterns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.DeviceMlp;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ActivationPatternsTest {
    /** Every bit against the scalar forward; rows whose pre-activations come within {@code margin} of 0 are skipped. */
    private static int assertMatchesScalar(Mlp mlp, Tensor x, ActivationPatterns p, double margin) {
        assertEquals(x.dim(0), p.rows());
        assertEquals(mlp.hiddenUnits(), p.packed().bits());
        int checked = 0;
        for (long i = 0; i < x.dim(0); i++) {
            double[] row = ScalarPatterns.row(x, i);
            if (margin > 0 && ScalarPatterns.margin(mlp, row) < margin) {
                continue;
            }
            boolean[] ref = ScalarPatterns.pattern(mlp, row);
            for (int j = 0; j < ref.length; j++) {
                assertEquals(ref[j], p.packed().bit(i, j), "row " + i + " unit " + j);
            }
            checked++;
        }
        return checked;
    }

    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void matchScalarForwardAcrossWordBoundaries(String backend) {
        TestBackends.with(backend, b -> {
            for (DType dtype : List.of(DType.F64, DType.F32)) {
                for (Activation phi : Fixtures.piecewiseLinear()) {
                    // widths 13 + 70 + 9: layers straddle word boundaries at unaligned offsets
                    Mlp mlp = Mlp.random(3, phi, Parameterization.ntk(1.5, 0.5), dtype, 5, 13, 70, 9, 3);
                    Tensor x = Fixtures.gaussian(4, dtype, 37, 5);
                    ActivationPatterns p = ActivationPatterns.of(mlp).compute(b, x, null);
                    int checked = assertMatchesScalar(mlp, x, p, dtype == DType.F32 ? 1e-4 : 0);
                    assertTrue(checked > 30, "rows checked: " + checked);
                }
            }
        });
    }

    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void preactivationExactlyZeroIsInactive(String backend) {
        TestBackends.with(backend, b -> {
            for (DType dtype : List.of(DType.F64, DType.F32)) {
                for (Activation phi : List.of(Activation.RELU, Activation.leakyRelu(0.5), Activation.ABS)) {
                    Mlp mlp = Fixtures.dyadic(phi, dtype);
                    Tensor x = Fixtures.dyadicGrid(dtype);
                    ActivationPatterns p = ActivationPatterns.of(mlp).compute(b, x, null);
                    assertMatchesScalar(mlp, x, p, 0);
                    int[] zerosPerLayer = new int[2];
                    for (long i = 0; i < x.dim(0); i++) {
                        double[] z = ScalarPatterns.preactivations(mlp, ScalarPatterns.row(x, i));
                        for (int j = 0; j < z.length; j++) {
                            if (z[j] == 0) {
                                zerosPerLayer[j < 3 ? 0 : 1]++;
                                assertTrue(!p.packed().bit(i, j), "zero pre-activation is inactive: row " + i + " unit " + j);
                            }
                        }
                    }
                    assertTrue(zerosPerLayer[0] >= 3 && zerosPerLayer[1] >= 3,
                            "the fixture has exact zeros in both layers: " + zerosPerLayer[0] + ", " + zerosPerLayer[1]);
                }
            }
        });
    }

    @Test
    void javaAndCudaBackendsAgreeBitForBit() {
        List<Mlp> networks = List.of(Fixtures.dyadic(Activation.RELU, DType.F32), Fixtures.dyadic(Activation.ABS, DType.F64),
                Mlp.random(3, Activation.RELU, Parameterization.ntk(1.5, 0.5), DType.F64, 5, 13, 70, 9, 3));
        List<Tensor> inputs = List.of(Fixtures.dyadicGrid(DType.F32), Fixtures.dyadicGrid(DType.F64),
                Fixtures.gaussian(4, DType.F64, 37, 5));
        List<List<PackedPatterns>> results = new ArrayList<>();
        for (String name : TestBackends.names()) {
            List<PackedPatterns> r = new ArrayList<>();
            TestBackends.with(name, b -> {
                for (int k = 0; k < networks.size(); k++) {
                    r.add(ActivationPatterns.of(networks.get(k)).compute(b, inputs.get(k), null).packed());
                }
            });
            results.add(r);
        }
        for (int k = 0; k < networks.size(); k++) {
            for (long i = 0; i < inputs.get(k).dim(0); i++) {
                assertTrue(results.get(0).get(k).rowEquals(i, results.get(1).get(k), i), "network " + k + " row " + i);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void tilesLayerViewsAndBooleansAgree(String backend) {
        TestBackends.with(backend, b -> {
            Mlp mlp = Mlp.random(8, Activation.RELU, Parameterization.STANDARD, DType.F64, 4, 65, 3, 64, 2);
            Tensor x = Fixtures.gaussian(9, DType.F64, 50, 4);
            ActivationPatterns whole;
            ActivationPatterns tiled;
            ActivationPatterns resident;
            List<Long> progress = new ArrayList<>();
            try (DeviceMlp d = DeviceMlp.upload(b, mlp); DeviceMatrix xd = b.upload(x)) {
                whole = ActivationPatterns.compute(d, x, null, 1000);
                tiled = ActivationPatterns.compute(d, x, (done, total) -> progress.add(done), 7);
                resident = ActivationPatterns.compute(d, xd, null, 9);
                assertThrows(IllegalArgumentException.class, () -> ActivationPatterns.compute(d, xd.reshape(100, 2), null, 9));
            }
            assertArrayEquals(new Object[] {7L, 14L, 21L, 28L, 35L, 42L, 49L, 50L}, progress.toArray());
            assertMatchesScalar(mlp, x, whole, 0);
            assertTrue(DistinctPatterns.of(whole.packed()).count() > 1);
            for (long i = 0; i < x.dim(0); i++) {
                assertTrue(whole.packed().rowEquals(i, tiled.packed(), i), "row " + i);
                assertTrue(whole.packed().rowEquals(i, resident.packed(), i), "row " + i);
            }
            Tensor bools = whole.toBooleans();
            assertArrayEquals(new long[] {50, 65 + 3 + 64}, bools.shape());
            assertEquals(3, whole.layers());
            for (int l = 0; l < 3; l++) {
                PackedPatterns layer = whole.layer(l);
                assertEquals(whole.width(l), layer.bits());
                for (long i = 0; i < 50; i++) {
                    for (long j = 0; j < layer.bits(); j++) {
                        assertEquals(bools.get(i, whole.offset(l) + j) != 0, layer.bit(i, j));
                    }
                }
            }
        });
    }

    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void rejectsSmoothActivationsAndBadInputs(String backend) {
        TestBackends.with(backend, b -> {
            for (Activation phi : List.of(Activation.TANH, Activation.ERF, Activation.IDENTITY)) {
                Mlp mlp = Mlp.random(1, phi, Parameterization.STANDARD, DType.F64, 2, 3, 1);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> ActivationPatterns.of(mlp).compute(b, Fixtures.gaussian(1, DType.F64, 4, 2), null));
                assertTrue(e.getMessage().contains(phi.toString()) && e.getMessage().contains("piecewise-linear"),
                        e.getMessage());
            }
            Mlp linear = Mlp.random(1, Activation.RELU, Parameterization.STANDARD, DType.F64, 2, 3);
            ActivationPatterns none = ActivationPatterns.of(linear).compute(b, Fixtures.gaussian(1, DType.F64, 4, 2), null);
            assertArrayEquals(new long[] {4, 0}, none.toBooleans().shape(), "no hidden layer: empty patterns");
            Mlp mlp = Mlp.random(1, Activation.RELU, Parameterization.STANDARD, DType.F64, 2, 3, 1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ActivationPatterns.of(mlp).compute(b, Fixtures.gaussian(1, DType.F64, 4, 3), null));
            assertTrue(e.getMessage().startsWith("x:"), e.getMessage());
            assertEquals(0, b.openAllocations());
        });
    }
}
