package io.github.tangent4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Architecture;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Finite;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.tensor.TensorSink;
import io.github.tangent4j.tensor.TileSink;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The overflow policy at the depth of the tile engine: every kernel family's {@code computeInto} refuses a tile
 * that overflowed (finite inputs, huge weights or variances) with an {@link ArithmeticException} naming the
 * element's index in the whole result, whether the sink is a tensor or a sink of the user's that must never
 * receive a non-finite tile.
 */
class TileOverflowTest {
    /** Finite inputs whose kernels overflow F64 under the huge weights and variances below. */
    private static final Tensor X = Tensor.of(new double[] {1e200, 1e200, -1e200, 1e200, 0.5e200, -2e200}, 3, 2);
    private static final Tensor X2 = Tensor.of(new double[] {2e200, -1e200, 1e200, 1e200}, 2, 2);

    @Test
    void aTileIsNamedByItsElementsIndexInTheWholeResult() {
        Tensor block = Tensor.of(new double[] {1, 2, 3, Double.NaN}, 2, 2);
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> Finite.checkTile(block, 4, 6));
        assertTrue(e.getMessage().startsWith("the result: element (5, 7) is NaN although every input is finite"),
                e.getMessage());
        Finite.checkTile(Tensor.of(new double[] {1, 2}, 1, 2), 3, 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void theEmpiricalNtkRefusesAnOverflowedTile(String backend) {
        Mlp mlp = Mlp.random(6, Activation.RELU, Parameterization.STANDARD, DType.F64, 2, 4, 1);
        Mlp huge = new Mlp(mlp.layers().stream().map(l -> new Layer(scaled(l.weight(), 1e200), l.bias())).toList(),
                Activation.RELU, Parameterization.STANDARD);
        TestBackends.with(backend, b -> {
            for (EmpiricalNtk.Kind kind : EmpiricalNtk.Kind.values()) {
                EmpiricalNtk k = EmpiricalNtk.of(huge).withKind(kind);
                assertRefused(() -> k.shape(kind, 3, kind == EmpiricalNtk.Kind.DIAGONAL ? 3 : 2),
                        sink -> k.computeInto(b, X, kind == EmpiricalNtk.Kind.DIAGONAL ? null : X2, sink));
                assertRefused(() -> k.shape(kind, 3, 3), sink -> k.computeInto(b, X, null, sink));
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void theEmpiricalNtkRefusesAParameterizationWhoseGramScaleOverflows(String backend) {
        // sigma_w = 1e200 under the NTK parameterization: (sigma_w / sqrt(fan-in))^2 is beyond double precision
        Mlp huge = Mlp.random(6, Activation.RELU, Parameterization.ntk(1e200, 0), DType.F64, 2, 4, 1);
        TestBackends.with(backend, b -> {
            for (EmpiricalNtk.Kind kind : EmpiricalNtk.Kind.values()) {
                ArithmeticException e = assertThrows(ArithmeticException.class,
                        () -> EmpiricalNtk.of(huge).withKind(kind).compute(b, X, null));
                assertTrue(e.getMessage().matches("the empirical NTK: layer [01]'s weight scale (7\\.07|5\\.0)\\d*E199 "
                        + "squared is not finite in double precision, although every input is finite"), e.getMessage());
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void theInfiniteWidthKernelsRefuseAnOverflowedTile(String backend) {
        Architecture hot = Architecture.ntkVariances(Activation.RELU, 2, 1e300, 1e300);
        TestBackends.with(backend, b -> {
            for (InfiniteWidthKernel.Get get : InfiniteWidthKernel.Get.values()) {
                InfiniteWidthKernel k = InfiniteWidthKernel.of(hot).withGet(get);
                assertRefused(() -> k.shape(3, 2), sink -> k.computeInto(b, X, X2, sink));
                assertRefused(() -> k.shape(3, 3), sink -> k.computeInto(b, X, null, sink));
            }
            ArithmeticException e = assertThrows(ArithmeticException.class,
                    () -> InfiniteWidthKernel.of(hot).compute(b, X, null));
            assertTrue(e.getMessage().startsWith("the result: element ("), e.getMessage());
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void theJacobianKernelsRefuseAnOverflowedTile(String backend) {
        JacobianKernel k = JacobianKernel.of(Architecture.ntkVariances(Activation.RELU, 2, 1e300, 1e300));
        TestBackends.with(backend, b -> {
            assertRefused(() -> k.shape(3, 2, 2), sink -> k.computeInto(b, X, X2, sink));
            assertRefused(() -> k.shape(3, 3, 2), sink -> k.computeInto(b, X, null, sink));
        });
    }

    private static Tensor scaled(Tensor w, double factor) {
        Tensor out = Tensor.allocate(DType.F64, w.shape());
        for (long i = 0; i < w.size(); i++) {
            out.setFlat(i, w.getFlat(i) * factor);
        }
        return out;
    }

    /**
     * Runs {@code computeInto} into a tensor sink and into a sink of the user's of the shape {@code shape}
     * gives: both must throw the overflow, and the user's sink must never have been handed a non-finite tile.
     */
    private static void assertRefused(Supplier<long[]> shape, Consumer<TileSink> into) {
        long[] s = shape.get();
        for (TileSink sink : List.of(TensorSink.of(Tensor.allocate(DType.F64, s)), finiteOnly(s))) {
            ArithmeticException e = assertThrows(ArithmeticException.class, () -> into.accept(sink));
            assertTrue(e.getMessage().startsWith("the result: element (")
                    && e.getMessage().contains("although every input is finite: the computation overflowed F64"),
                    e.getMessage());
        }
    }

    /** A sink that fails the test (with an AssertionError, not the expected exception) on a non-finite tile. */
    private static TileSink finiteOnly(long[] shape) {
        return TileSink.of(shape, DType.F64, (rowStart, colStart, block) ->
                assertEquals(-1, Finite.firstNonFinite(block), "a non-finite tile reached the sink"));
    }
}
