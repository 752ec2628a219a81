package io.github.tangent4j.tensor;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.Backends;
import io.github.tangent4j.jacobian.Jacobians;
import io.github.tangent4j.kernels.EmpiricalNtk;
import io.github.tangent4j.kernels.InfiniteWidthKernel;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 26, D8: the overflow policy. A result computed from finite inputs must be finite; otherwise the
 * entry point throws an {@link ArithmeticException} naming the result, the first bad element and the cause.
 */
class OverflowPolicyTest {
    @Test
    void checkResultNamesTheFirstBadElementItsIndexAndTheCause() {
        Tensor t = Tensor.of(new double[] {1, 2, 3, Double.POSITIVE_INFINITY, Double.NaN, 6}, 2, 3);
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> Finite.checkResult("K", t));
        assertTrue(e.getMessage().startsWith("K: element 3 (1, 0) is Infinity although every input is finite: the"
                + " computation overflowed F64"), e.getMessage());
        assertDoesNotThrow(() -> Finite.checkResult("K", Tensor.of(new double[] {1, 2}, 2)));
        Tensor f32 = Tensor.of(new float[] {Float.NaN}, 1);
        assertTrue(assertThrows(ArithmeticException.class, () -> Finite.checkResult("y", f32)).getMessage()
                .contains("use f64"));
    }

    @Test
    void theJavaEntryPointsRefuseAnOverflowedResult() {
        Tensor x = Tensor.of(new double[] {0.5, -1, 2, 0.25}, 2, 2);
        try (Backend backend = Backends.create("java")) {
            InfiniteWidthKernel huge = InfiniteWidthKernel.of(io.github.tangent4j.nn.Architecture.ntkVariances(Activation.RELU, 2, 1e300, 1e300));
            ArithmeticException k = assertThrows(ArithmeticException.class,
                    () -> huge.compute(backend, x, null));
            assertTrue(k.getMessage().startsWith("the result: element (0, 0) is "), k.getMessage());

            Mlp mlp = Mlp.random(3, Activation.RELU, Parameterization.STANDARD, DType.F64, 2, 4, 1);
            List<Layer> heavy = mlp.layers().stream().map(l -> {
                Tensor w = l.weight().to(DType.F64);
                Tensor scaled = Tensor.allocate(DType.F64, w.shape());
                for (long i = 0; i < w.size(); i++) {
                    scaled.setFlat(i, w.getFlat(i) * 1e200);
                }
                return new Layer(scaled, l.bias());
            }).toList();
            Mlp big = new Mlp(heavy, Activation.RELU, Parameterization.STANDARD);
            assertThrows(ArithmeticException.class, () -> Jacobians.of(big).input(backend, x));
            // d f / d W_2 is the hidden layer h_1 = relu(W_1 x): about 1e200 * 1e200 here
            Tensor far = Tensor.of(new double[] {1e200, -1e200, 2e200, 0.25e200}, 2, 2);
            assertThrows(ArithmeticException.class, () -> Jacobians.of(big).parameters(backend, far));
            assertThrows(ArithmeticException.class, () -> EmpiricalNtk.of(big).full(backend, x, null));
            assertDoesNotThrow(() -> Jacobians.of(mlp).input(backend, x));
        }
    }
}
