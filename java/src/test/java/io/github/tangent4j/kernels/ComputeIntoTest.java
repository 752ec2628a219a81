package io.github.tangent4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.jacobian.Jacobians;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Architecture;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.MappedNpy;
import io.github.tangent4j.tensor.Npy;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.tensor.TensorSink;
import io.github.tangent4j.tensor.TileSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code computeInto} a memory-mapped {@code .npy} gives, bit for bit, what {@code compute} returns, for every
 * kernel family (empirical NTK in its three kinds, infinite-width NNGP and NTK, Jacobian NNGP and NTK) and row
 * family (input Jacobian, its norms, parameter Jacobian), for K(X, X) and K(X, X2), in
 * one tile and in many; and a chunked sink (any {@link TileSink} that is not a tensor) gets the same values
 * through the engine's grid (the same bits but for the infinite-width kernels in F32, whose GEMM shapes
 * differ), exactly symmetric for K(X, X).
 */
class ComputeIntoTest {
    @TempDir
    Path dir;

    private static Tensor inputs(long seed, DType dtype, long n, long d) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor x = Tensor.allocate(dtype, n, d);
        for (long i = 0; i < x.size(); i++) {
            x.setFlat(i, TestBackends.round(dtype, rng.nextGaussian()));
        }
        return x;
    }

    /** A sink that is not a tensor: it copies each tile into a tensor the test reads afterwards. */
    private static TileSink chunked(Tensor into) {
        TensorSink inner = TensorSink.of(into);
        return TileSink.of(inner.shape(), inner.dtype(),
                (rowStart, colStart, block) -> inner.writeTile(rowStart, colStart, block.copy()));
    }

    private Tensor viaMappedNpy(String name, DType dtype, long[] shape, java.util.function.Consumer<TileSink> fill) {
        Path file = dir.resolve(name + ".npy");
        try (MappedNpy out = Npy.create(file, dtype, shape)) {
            fill.accept(TensorSink.of(out.tensor()));
            out.force();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return Npy.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertBits(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        for (long i = 0; i < expected.size(); i++) {
            assertEquals(Double.doubleToRawLongBits(expected.getFlat(i)), Double.doubleToRawLongBits(actual.getFlat(i)),
                    what + ": element " + i);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void empiricalNtkIntoAMappedNpyIsBitEqualToCompute(String backend) {
        Mlp mlp = Mlp.random(3, Activation.RELU, Parameterization.ntk(1.3, 0.2), DType.F64, 3, 10, 8, 2);
        Tensor x = inputs(1, DType.F64, 13, 3);
        Tensor x2 = inputs(2, DType.F64, 6, 3);
        TestBackends.with(backend, b -> {
            for (long block : new long[] {Long.MAX_VALUE, 4}) {
                EmpiricalNtk ntk = EmpiricalNtk.of(mlp).withMaxTileRows(block);
                for (EmpiricalNtk.Kind kind : EmpiricalNtk.Kind.values()) {
                    for (Tensor right : new Tensor[] {null, x2}) {
                        if (kind == EmpiricalNtk.Kind.DIAGONAL && right != null) {
                            continue;
                        }
                        String what = kind + (right == null ? " K(X, X)" : " K(X, X2)") + " block " + block;
                        Tensor want = ntk.compute(b, kind, x, right);
                        EmpiricalNtk one = ntk.withKind(kind);
                        assertArrayEquals(want.shape(), one.shape(x.dim(0), right == null ? x.dim(0) : right.dim(0)));
                        Tensor got = viaMappedNpy("ntk", DType.F64, want.shape(),
                                sink -> one.computeInto(b, x, right, sink));
                        assertBits(want, got, what);
                        Tensor chunks = Tensor.allocate(DType.F64, want.shape());
                        ntk.computeInto(b, kind, x, right, chunked(chunks));
                        assertBits(want, chunks, what + " chunked");
                    }
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void infiniteWidthKernelsIntoAMappedNpyAreBitEqualToCompute(String backend) {
        TestBackends.with(backend, b -> {
            for (DType dtype : new DType[] {DType.F64, DType.F32}) {
                Tensor x = inputs(3, dtype, 37, 5);
                Tensor x2 = inputs(4, dtype, 11, 5);
                for (long rows : new long[] {Long.MAX_VALUE, 8}) {
                    InfiniteWidthKernel k = InfiniteWidthKernel.of(Architecture.ntkVariances(Activation.ERF, 2, 1.6, 0.1))
                            .withMaxTileRows(rows);
                    for (Tensor right : new Tensor[] {null, x2}) {
                        InfiniteWidthKernel.Result want = k.compute(b, x, right);
                        for (InfiniteWidthKernel.Get get : InfiniteWidthKernel.Get.values()) {
                            Tensor expected = get == InfiniteWidthKernel.Get.NTK ? want.outputNtk() : want.outputNngp();
                            String what = dtype + " " + get + (right == null ? " K(X, X)" : " K(X, X2)") + " rows "
                                    + rows;
                            InfiniteWidthKernel one = k.withGet(get);
                            Tensor got = viaMappedNpy("k", dtype, expected.shape(),
                                    sink -> one.computeInto(b, x, right, sink));
                            assertBits(expected, got, what);
                            Tensor chunks = Tensor.allocate(dtype, expected.shape());
                            one.computeInto(b, x, right, chunked(chunks));
                            if (dtype == DType.F64) {
                                assertBits(expected, chunks, what + " chunked");
                            } else {
                                // the grid's square tiles are other GEMM shapes than the row tiles, and the Java
                                // backend's F32 GEMM rounds by shape: equal to float rounding, not to the bit
                                for (long i = 0; i < expected.size(); i++) {
                                    double e = expected.getFlat(i);
                                    assertEquals(e, chunks.getFlat(i), 1e-5 * Math.max(1, Math.abs(e)), what + " " + i);
                                }
                            }
                            for (long i = 0; right == null && i < x.dim(0); i++) {
                                for (long j = 0; j < i; j++) {
                                    assertEquals(chunks.get(i, j), chunks.get(j, i), what + " chunked is symmetric");
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
    void patternsIntoAMappedNpyEqualTheComputedBooleans(String backend) {
        Mlp mlp = Mlp.random(4, Activation.RELU, Parameterization.STANDARD, DType.F64, 3, 70, 9, 2);
        Tensor x = inputs(6, DType.F64, 50, 3);
        TestBackends.with(backend, b -> {
            io.github.tangent4j.patterns.ActivationPatterns.Computation p =
                    io.github.tangent4j.patterns.ActivationPatterns.of(mlp).withMaxTileRows(7);
            Tensor want = p.compute(b, x, null).toBooleans();
            assertArrayEquals(new long[] {50, 79}, p.shape(50, 0));
            Tensor got = viaMappedNpy("patterns", DType.BOOL, want.shape(), sink -> p.computeInto(b, x, null, sink));
            assertArrayEquals(want.toDoubleArray(), got.toDoubleArray());
            assertThrows(IllegalArgumentException.class, () -> p.compute(b, x, x));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void jacobiansIntoAMappedNpyAreBitEqualToCompute(String backend) {
        Mlp mlp = Mlp.random(5, Activation.TANH, Parameterization.ntk(1.2, 0.3), DType.F64, 4, 9, 7, 3);
        Tensor x = inputs(7, DType.F64, 11, 4);
        TestBackends.with(backend, b -> {
            for (long rows : new long[] {Long.MAX_VALUE, 3}) {
                for (Jacobians.Mode mode : new Jacobians.Mode[] {Jacobians.Mode.REVERSE, Jacobians.Mode.FORWARD}) {
                    Jacobians base = Jacobians.of(mlp).withMode(mode).withMaxTileRows(rows);
                    Tensor[] direct = {base.input(b, x), base.inputNorms(b, x).perExample(),
                        base.parameters(b, x).tensor()};
                    for (Jacobians.Kind kind : Jacobians.Kind.values()) {
                        String what = kind + " " + mode + " rows " + rows;
                        Jacobians one = base.withKind(kind);
                        Tensor want = one.compute(b, x, null);
                        assertBits(direct[kind.ordinal()], want, what + " compute");
                        assertArrayEquals(want.shape(), one.shape(x.dim(0), 0), what + " shape");
                        assertBits(want, viaMappedNpy("j", DType.F64, want.shape(),
                                sink -> one.computeInto(b, x, null, sink)), what);
                        Tensor chunks = Tensor.allocate(DType.F64, want.shape());
                        one.computeInto(b, x, null, chunked(chunks));
                        assertBits(want, chunks, what + " chunked");
                    }
                }
            }
            Jacobians j = Jacobians.of(mlp);
            assertThrows(IllegalArgumentException.class, () -> j.compute(b, x, x));
            assertThrows(IllegalArgumentException.class, () -> j.shape(3, 3));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> j.computeInto(b, x, null, TensorSink.of(Tensor.allocate(DType.F64, 11, 3, 5))));
            assertEquals("sink: expected shape (11, 3, 4) of F64 but was (11, 3, 5) of F64", e.getMessage());
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void forwardIntoAMappedNpyIsBitEqualToForward(String backend) {
        Mlp mlp = Mlp.random(11, Activation.TANH, Parameterization.STANDARD, DType.F32, 5, 12, 3);
        Tensor x = inputs(12, DType.F32, 40, 5);
        TestBackends.with(backend, b -> {
            try (io.github.tangent4j.nn.DeviceMlp net = io.github.tangent4j.nn.DeviceMlp.upload(b, mlp)) {
                Tensor want = net.forward(x);
                assertBits(want, viaMappedNpy("f", DType.F32, want.shape(), sink -> net.forwardInto(x, sink)), "mapped");
                Tensor chunks = Tensor.allocate(DType.F32, want.shape());
                net.forwardInto(x, chunked(chunks));
                assertBits(want, chunks, "chunked");
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> net.forwardInto(x, TensorSink.of(Tensor.allocate(DType.F64, 40, 3))));
                assertEquals("sink: expected shape (40, 3) of F32 but was (40, 3) of F64", e.getMessage());
            }
        });
    }

    @Test
    void aJacobianTileThatOverflowsIsRefusedBeforeItIsWritten() {
        Mlp huge = Mlp.random(6, Activation.RELU, Parameterization.ntk(1e200, 0), DType.F64, 2, 4, 1);
        Tensor x = Tensor.of(new double[] {1e200, 1e200, -1e200, 1e200}, 2, 2);
        TestBackends.with("java", b -> {
            Jacobians j = Jacobians.of(huge).withKind(Jacobians.Kind.PARAMETERS);
            Tensor out = Tensor.allocate(DType.F64, j.shape(2, 0));
            ArithmeticException e = assertThrows(ArithmeticException.class,
                    () -> j.computeInto(b, x, null, chunked(out)));
            assertEquals(true, e.getMessage().startsWith("the parameter Jacobian of examples [0, 2): element"),
                    e.getMessage());
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void jacobianKernelsIntoAMappedNpyAreBitEqualToCompute(String backend) {
        TestBackends.with(backend, b -> {
            for (DType dtype : new DType[] {DType.F64, DType.F32}) {
                Tensor x = inputs(8, dtype, 9, 3);
                Tensor x2 = inputs(9, dtype, 5, 3);
                for (long rows : new long[] {Long.MAX_VALUE, 2}) {
                    long[] reported = {0, 0};
                    JacobianKernel k = JacobianKernel.of(Architecture.ntkVariances(Activation.RELU, 2, 2, 0.1))
                            .withMaxTileRows(rows).withProgress((done, total) -> {
                                reported[0] = done;
                                reported[1] = total;
                            });
                    for (JacobianKernel.Kind kind : JacobianKernel.Kind.values()) {
                        for (Tensor right : new Tensor[] {null, x2}) {
                            String what = dtype + " " + kind + (right == null ? " K(X, X)" : " K(X, X2)") + " rows "
                                    + rows;
                            JacobianKernel one = k.withKind(kind);
                            Tensor want = k.compute(b, x, right, kind);
                            assertBits(want, one.compute(b, x, right), what + " compute");
                            assertArrayEquals(want.shape(), one.shape(9, right == null ? 9 : 5, 3), what + " shape");
                            assertBits(want, viaMappedNpy("jk", dtype, want.shape(),
                                    sink -> one.computeInto(b, x, right, sink)), what);
                            assertArrayEquals(new long[] {9, 9}, reported, what + " progress in points");
                            Tensor chunks = Tensor.allocate(dtype, want.shape());
                            one.computeInto(b, x, right, chunked(chunks));
                            assertBits(want, chunks, what + " chunked");
                        }
                    }
                }
            }
            JacobianKernel k = JacobianKernel.of(Architecture.ntkVariances(Activation.ERF, 1, 1.5, 0.1));
            Tensor x = inputs(10, DType.F64, 3, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> k.computeInto(b, x, null, TensorSink.of(Tensor.allocate(DType.F64, 9, 8))));
            assertEquals("sink: expected shape (9, 9) of F64 but was (9, 8) of F64", e.getMessage());
        });
    }

    @Test
    void computeIntoWritesOneKernelOfTheRightShape() {
        TestBackends.with("java", b -> {
            Tensor x = inputs(5, DType.F64, 4, 2);
            InfiniteWidthKernel both = InfiniteWidthKernel.of(Architecture.ntkVariances(Activation.RELU, 1, 2, 0.1));
            TileSink sink = TensorSink.of(Tensor.allocate(DType.F64, 4, 4));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> both.computeInto(b, x, null, sink));
            assertEquals(true, e.getMessage().startsWith("get: computeInto writes one kernel"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> both.withGet(InfiniteWidthKernel.Get.NNGP)
                    .computeInto(b, x, null, TensorSink.of(Tensor.allocate(DType.F64, 4, 5))));
            assertEquals(true, e.getMessage().startsWith("sink: expected shape (4, 4) of F64"), e.getMessage());
        });
    }

    @Test
    void theArchitectureOfANetworkGivesTheSameKernelAsItsVariances() {
        Mlp mlp = Mlp.random(1, Activation.RELU, Parameterization.ntk(Math.sqrt(2), Math.sqrt(0.1)), DType.F64, 3, 5,
                5, 1);
        InfiniteWidthKernel fromNet = InfiniteWidthKernel.of(mlp.architecture());
        assertEquals(2, fromNet.depth());
        assertEquals(Activation.RELU, fromNet.activation());
        assertEquals(Math.sqrt(2) * Math.sqrt(2), fromNet.sigmaW2());
        InfiniteWidthKernel fromVariances = InfiniteWidthKernel.of(Architecture.ntkVariances(Activation.RELU, 2, 2, 0.1));
        assertEquals(2.0, fromVariances.sigmaW2(), "variances given as variances are kept exactly");
        assertEquals(0.1, fromVariances.sigmaB2());
        assertEquals(Math.sqrt(2), Parameterization.ntkVariances(2, 0.1).sigmaW());
        assertThrows(IllegalArgumentException.class,
                () -> InfiniteWidthKernel.of(new Architecture(Activation.RELU, 1, Parameterization.STANDARD)));
    }
}
