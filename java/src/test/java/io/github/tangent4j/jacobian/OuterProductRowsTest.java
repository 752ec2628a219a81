package io.github.tangent4j.jacobian;

import static io.github.tangent4j.jacobian.JacobiansTest.assertClose;
import static io.github.tangent4j.jacobian.JacobiansTest.inputs;
import static io.github.tangent4j.jacobian.JacobiansTest.network;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.DeviceMlp;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.nn.ScalarMlp;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.tensor.TensorSink;
import io.github.tangent4j.tensor.TileSink;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The parameter Jacobian written on the host from its factors ({@link OuterProductRows}): odd widths (a layer
 * wider than its input, a bias-free layer, runs wider than one vector), odd tiles, both dtypes, against the scalar
 * materialised products;
 * the same bits into a tensor and into a sink that takes blocks, and through stages of any size as written
 * directly; overflow found although every factor is finite.
 */
class OuterProductRowsTest {
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.github.tangent4j.jacobian.JacobiansTest#backendsAndDtypes")
    void oddShapesAndTilesMatchTheMaterialisedProducts(String backendName, DType dtype) {
        // the second network's layer inputs are wider than one vector and not a multiple of its length
        for (long[] widths : List.of(new long[] {3, 7, 5, 2}, new long[] {37, 70, 19, 3})) {
            for (Activation phi : List.of(Activation.RELU, Activation.TANH)) {
                Mlp mlp = network(31, phi, Parameterization.ntk(1.1, 0.3), dtype, widths);
                Tensor x = inputs(32, dtype, 11, widths[0]);
                double tol = dtype == DType.F32 ? 2e-5 : 1e-12;
                TestBackends.with(backendName, backend -> {
                    Jacobians j = Jacobians.of(mlp).withKind(Jacobians.Kind.PARAMETERS).withMaxTileRows(3);
                    Tensor whole = j.compute(backend, x, null);
                    for (int i = 0; i < 11; i++) {
                        double[][] ref = ScalarJacobian.parameters(mlp, ScalarMlp.row(x, i));
                        for (int o = 0; o < ref.length; o++) {
                            for (int q = 0; q < ref[o].length; q++) {
                                assertClose(ref[o][q], whole.get(i, o, q), tol, phi + " example " + i + " [" + o + ", "
                                        + q + "]");
                            }
                        }
                    }
                    Tensor viaBlocks = Tensor.allocate(dtype, whole.shape());
                    TensorSink target = TensorSink.of(viaBlocks);
                    j.computeInto(backend, x, null, TileSink.of(whole.shape(), dtype, target::writeTile));
                    assertTrue(whole.segment().mismatch(viaBlocks.segment()) < 0, phi + ": blocks differ from compute");
                    assertEquals(0, backend.openAllocations());
                });
            }
        }
    }

    /**
     * Blocks written through stages ({@link StreamedStages}) hold the bits of blocks written straight from the
     * registers, whatever the piece size: pieces that begin and end inside a run, a bias block, a row or a layer,
     * down to one element, and half the block (the whole block is written directly: one piece would leave a
     * thread idle); and the default pieces of a block of several stages.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.github.tangent4j.jacobian.JacobiansTest#backendsAndDtypes")
    void stagedWritesGiveTheBitsOfDirectWrites(String backendName, DType dtype) {
        long[] small = {37, 70, 19, 3};
        // P = 108 970: rows of 0.44 (0.87) MB, so 40 rows are several default stages of 2.6 MiB
        long[] large = {300, 300, 60, 10};
        for (long[] widths : List.of(small, large)) {
            Mlp mlp = network(36, Activation.RELU, Parameterization.ntk(1.1, 0.3), dtype, widths);
            long n = widths == small ? 5 : 4;
            Tensor x = inputs(37, dtype, n, widths[0]);
            TestBackends.with(backendName, backend -> {
                try (DeviceMlp net = DeviceMlp.upload(backend, mlp); DeviceMatrix xd = backend.upload(x);
                        ForwardTrace t = ForwardTrace.of(net, xd); BackpropSignals s = BackpropSignals.ofOutputs(t)) {
                    OuterProductRows rows = OuterProductRows.of(s);
                    long[] shape = {n, mlp.outputDim(), mlp.parameterCount()};
                    Tensor direct = Tensor.allocate(dtype, shape);
                    rows.writeInto(direct, 0);
                    long stage = StreamedStages.STAGE_BYTES / dtype.byteSize();
                    long[] pieces = widths == small
                            ? new long[] {1, 7, 37, 1000, 4003, direct.size() / 2, direct.size()}
                            : new long[] {stage, direct.size() / 3 + 1, -1};
                    for (long piece : pieces) {
                        Tensor staged = Tensor.allocate(dtype, shape);
                        staged.segment().fill((byte) 0xFF);   // NaN: every element must be written
                        if (piece < 0) {
                            rows.writeInto(staged);
                        } else {
                            rows.writeInto(staged, piece);
                        }
                        assertTrue(direct.segment().mismatch(staged.segment()) < 0, "pieces of " + piece
                                + " elements differ from the direct writes, P = " + shape[2]);
                    }
                }
                assertEquals(0, backend.openAllocations());
            });
        }
    }

    /** A ReLU unit that is off for an example gives a zero run; an off unit fed a huge input still gives zeros. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void inactiveUnitsGiveExactZeros(String backendName) {
        Mlp mlp = network(33, Activation.RELU, Parameterization.STANDARD, DType.F64, 4, 9, 3);
        Tensor x = inputs(34, DType.F64, 6, 4);
        TestBackends.with(backendName, backend -> {
            Tensor jp = Jacobians.of(mlp).parameters(backend, x).tensor();
            Layer first = mlp.layers().get(0);
            int zeros = 0;
            for (int i = 0; i < 6; i++) {
                double[] z = ScalarJacobian.preactivations(mlp, ScalarMlp.row(x, i))[0];
                for (int u = 0; u < first.out(); u++) {
                    if (z[u] <= 0) {
                        zeros++;
                        for (int v = 0; v < first.in(); v++) {
                            assertEquals(0.0, jp.get(i, 1, u * first.in() + v), "example " + i + " unit " + u);
                        }
                    }
                }
            }
            assertTrue(zeros > 0, "the test needs an inactive unit");
        });
    }

    /** Factors that are finite but whose product overflows F32 are still refused, naming the tile. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void aProductThatOverflowsIsFoundAlthoughTheFactorsAreFinite(String backendName) {
        Mlp mlp = Mlp.random(35, Activation.IDENTITY, Parameterization.ntk(10, 0), DType.F32, 1, 1);
        Tensor x = Tensor.allocate(DType.F32, 2, 1);
        x.setFlat(0, 1);
        x.setFlat(1, 3e38);
        TestBackends.with(backendName, backend -> {
            ArithmeticException e = assertThrows(ArithmeticException.class,
                    () -> Jacobians.of(mlp).parameters(backend, x));
            assertTrue(e.getMessage().startsWith("the parameter Jacobian of examples [0, 2): element 2 (1, 0, 0)"),
                    e.getMessage());
        });
    }
}
