package io.github.tangent4j.jacobian;

import static io.github.tangent4j.jacobian.JacobiansTest.assertClose;
import static io.github.tangent4j.jacobian.JacobiansTest.inputs;
import static io.github.tangent4j.jacobian.JacobiansTest.network;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.nn.ScalarMlp;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.tensor.TensorSink;
import io.github.tangent4j.tensor.TileSink;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reverse sweep's last GEMM written straight into the output's rows ({@link io.github.tangent4j.backend.Backend#gemmToHost}): odd
 * widths and odd tiles (each tile's rows a view in the middle of the result), both dtypes, against the scalar
 * materialised products, and the same bits into a sink that takes blocks.
 */
class InputJacobianIntoTest {
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.github.tangent4j.jacobian.JacobiansTest#backendsAndDtypes")
    void oddTilesMatchTheMaterialisedProducts(String backendName, DType dtype) {
        Mlp mlp = network(41, Activation.RELU, Parameterization.ntk(1.2, 0.1), dtype, 13, 7, 9, 3);
        Tensor x = inputs(42, dtype, 11, 13);
        double tol = dtype == DType.F32 ? 2e-5 : 1e-12;
        TestBackends.with(backendName, backend -> {
            Jacobians j = Jacobians.of(mlp).withMode(Jacobians.Mode.REVERSE).withMaxTileRows(3);
            Tensor whole = j.input(backend, x);
            for (int i = 0; i < 11; i++) {
                double[][] ref = ScalarJacobian.input(mlp, ScalarMlp.row(x, i));
                for (int o = 0; o < ref.length; o++) {
                    for (int d = 0; d < ref[o].length; d++) {
                        assertClose(ref[o][d], whole.get(i, o, d), tol, "example " + i + " [" + o + ", " + d + "]");
                    }
                }
            }
            Tensor viaBlocks = Tensor.allocate(dtype, whole.shape());
            TensorSink target = TensorSink.of(viaBlocks);
            j.computeInto(backend, x, null, TileSink.of(whole.shape(), dtype, target::writeTile));
            assertTrue(whole.segment().mismatch(viaBlocks.segment()) < 0, "blocks differ from input()");
            assertEquals(0, backend.openAllocations());
        });
    }
}
