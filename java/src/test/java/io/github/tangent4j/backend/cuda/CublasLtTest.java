package io.github.tangent4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.BackendException;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.DeviceOutOfMemoryException;
import io.github.tangent4j.backend.TileEngine;
import io.github.tangent4j.backend.java.JavaBackend;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.patterns.ActivationPatterns;
import io.github.tangent4j.patterns.PackedPatterns;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The CUDA backend's cuBLASLt path on the emulation: which epilogue runs (the emulation's matmul counter
 * and last epilogue), the run-time probe of the ReLU epilogue's NaN behaviour and bit mask, the fallback
 * on CUBLAS_STATUS_NOT_SUPPORTED (remembered), other failures, allocation failures anywhere, and leaks
 * (device memory, the cuBLASLt handle and every descriptor).
 */
@ExtendWith(EmuLeakCheck.class)
class CublasLtTest {
    private static final int EPILOGUE_RELU = 2;
    private static final int EPILOGUE_BIAS = 4;
    private static final int EPILOGUE_RELU_BIAS = 6;
    private static final int EPILOGUE_RELU_AUX_BIAS = 134;


    /** A layer's inputs on a backend: x (n x in), w (out x in), bias (out), out (n x out). */
    private record Layer(DeviceMatrix x, DeviceMatrix w, DeviceMatrix bias, DeviceMatrix out) implements AutoCloseable {
        static Layer random(Backend b, DType dtype, int n, int out, int in, long seed) {
            SplittableRandom rnd = new SplittableRandom(seed);
            return new Layer(upload(b, dtype, rnd, n, in), upload(b, dtype, rnd, out, in), upload(b, dtype, rnd, 1, out),
                    b.allocate(dtype, n, out));
        }

        private static DeviceMatrix upload(Backend b, DType dtype, SplittableRandom rnd, int rows, int cols) {
            Tensor t = Tensor.allocate(dtype, rows, cols);
            for (long i = 0; i < t.size(); i++) {
                t.setFlat(i, rnd.nextDouble(-1, 1));
            }
            return b.upload(t);
        }

        /** The layer through the unfused primitives into a new host tensor, and its sign bits. */
        Tensor[] unfused(Backend b, Activation phi, boolean withBias) {
            try (DeviceMatrix z = b.allocate(out.dtype(), out.rows(), out.cols())) {
                b.gemm(false, true, 0.5, x, w, 0, z);
                if (withBias) {
                    b.addRowVector(z, bias);
                }
                Tensor signs = b.signBits(z);
                b.activate(phi, z, z);
                return new Tensor[] {b.download(z), signs};
            }
        }

        @Override
        public void close() {
            x.close();
            w.close();
            bias.close();
            out.close();
        }
    }

    private static void assertSame(Tensor expected, Tensor actual, String what) {
        assertEquals(expected.size(), actual.size(), what);
        for (long i = 0; i < expected.size(); i++) {
            assertEquals(Double.doubleToLongBits(expected.getFlat(i)), Double.doubleToLongBits(actual.getFlat(i)),
                    what + ": element " + i);
        }
    }

    @Test
    void describesCublasLt() {
        try (CudaBackend b = new CudaBackend()) {
            assertTrue(b.description().contains("cuBLASLt 13.0.0"), b.description());
            assertTrue(CublasLt.LIBRARY.location().startsWith(Emu.dir().toString()), CublasLt.LIBRARY.location());
        }
    }

    @Test
    void whereTheReluEpilogueZeroesNanOnlyTheBiasIsFused() {
        // the emulation's default, like max(x, 0) on a GPU: relu(NaN) = 0, which the probe rejects
        try (CudaBackend b = new CudaBackend(); Layer l = Layer.random(b, DType.F32, 37, 19, 11, 1)) {
            long before = Emu.ltMatmulCount();
            b.linear(0.5, l.x(), l.w(), l.bias(), Activation.RELU, l.out());
            assertEquals(EPILOGUE_BIAS, Emu.ltLastEpilogue());
            assertSame(l.unfused(b, Activation.RELU, true)[0], b.download(l.out()), "relu with bias");
            long fused = Emu.ltMatmulCount();
            assertEquals(before + 2, fused, "the probe and the layer");
            b.linear(0.5, l.x(), l.w(), null, Activation.RELU, l.out());
            assertEquals(fused, Emu.ltMatmulCount(), "nothing to fuse without a bias: plain cuBLAS");
            assertSame(l.unfused(b, Activation.RELU, false)[0], b.download(l.out()), "relu without bias");
            Tensor signs = b.linearWithSigns(0.5, l.x(), l.w(), l.bias(), Activation.TANH, l.out());
            assertEquals(EPILOGUE_BIAS, Emu.ltLastEpilogue());
            Tensor[] expected = l.unfused(b, Activation.TANH, true);
            assertSame(expected[0], b.download(l.out()), "tanh with bias");
            assertSame(expected[1], signs, "signs");
        }
    }

    @Test
    void whereTheReluEpilogueKeepsNanTheWholeLayerAndItsSignsAreFused() {
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            // outputs: one, a full 64-bit word, 130 (3 words of signs, 4 in the mask's 256-bit rows)
            for (int outputs : new int[] {1, 64, 130}) {
                Emu.reset();
                Emu.setLtReluKeepsNan(true);
                try (CudaBackend b = new CudaBackend(); Layer l = Layer.random(b, dtype, 23, outputs, 9, outputs)) {
                    String what = dtype + " " + outputs + " outputs";
                    b.linear(0.5, l.x(), l.w(), l.bias(), Activation.RELU, l.out());
                    assertEquals(EPILOGUE_RELU_BIAS, Emu.ltLastEpilogue(), what);
                    Tensor[] expected = l.unfused(b, Activation.RELU, true);
                    assertSame(expected[0], b.download(l.out()), what);
                    b.linear(0.5, l.x(), l.w(), null, Activation.RELU, l.out());
                    assertEquals(EPILOGUE_RELU, Emu.ltLastEpilogue(), what);
                    assertSame(l.unfused(b, Activation.RELU, false)[0], b.download(l.out()), what + " without bias");
                    b.fill(l.out(), Double.NaN);
                    Tensor signs = b.linearWithSigns(0.5, l.x(), l.w(), l.bias(), Activation.RELU, l.out());
                    assertEquals(EPILOGUE_RELU_AUX_BIAS, Emu.ltLastEpilogue(), what);
                    assertSame(expected[0], b.download(l.out()), what + " with signs");
                    assertSame(expected[1], signs, what + ": the bit mask is the sign pattern");
                }
            }
        }
    }

    @Test
    void rowViewsAtAnyAlignmentGetAPlanOfTheirOwn() {
        Emu.setLtReluKeepsNan(true);
        try (CudaBackend b = new CudaBackend(); Layer l = Layer.random(b, DType.F32, 40, 7, 3, 5)) {
            for (int from = 0; from < 4; from++) {
                // row `from` of a 3-column F32 matrix starts 12 * from bytes in: alignments 256, 4, 8, 4
                DeviceMatrix x = l.x().rows(from, from + 30);
                DeviceMatrix out = l.out().rows(from, from + 30);
                b.linear(0.5, x, l.w(), l.bias(), Activation.RELU, out);
                assertEquals(EPILOGUE_RELU_BIAS, Emu.ltLastEpilogue());
                try (DeviceMatrix z = b.allocate(DType.F32, 30, 7)) {
                    b.gemm(false, true, 0.5, x, l.w(), 0, z);
                    b.addRowVector(z, l.bias());
                    b.activate(Activation.RELU, z, z);
                    assertSame(b.download(z), b.download(out), "rows from " + from);
                }
            }
        }
    }

    @Test
    void notSupportedFallsBackAndIsRemembered() {
        Emu.setLtReluKeepsNan(true);
        try (CudaBackend b = new CudaBackend(); Layer l = Layer.random(b, DType.F64, 17, 6, 5, 2)) {
            Tensor expected = l.unfused(b, Activation.RELU, true)[0];
            b.linear(0.5, l.x(), l.w(), l.bias(), Activation.RELU, l.out());
            long lt = Emu.ltMatmulCount();
            // the plan exists: the failure hits cublasLtMatmul itself
            Emu.failNextCublas(15);
            b.fill(l.out(), Double.NaN);
            b.linear(0.5, l.x(), l.w(), l.bias(), Activation.RELU, l.out());
            assertSame(expected, b.download(l.out()), "after NOT_SUPPORTED from the matmul");
            // the bias epilogue is a plan of its own, tried next, and used
            assertEquals(EPILOGUE_BIAS, Emu.ltLastEpilogue());
            long gemms = Emu.gemmCount();
            b.linear(0.5, l.x(), l.w(), l.bias(), Activation.RELU, l.out());
            assertEquals(EPILOGUE_BIAS, Emu.ltLastEpilogue(), "remembered: ReLU_BIAS is not tried again");
            assertEquals(gemms + 1, Emu.gemmCount());
            assertSame(expected, b.download(l.out()), "remembered");
            assertTrue(Emu.ltMatmulCount() > lt);
        }
        // NOT_SUPPORTED from the heuristic: no plan, plain cuBLAS, and cuBLASLt is not asked again
        Emu.reset();
        try (CudaBackend b = new CudaBackend(); Layer l = Layer.random(b, DType.F32, 8, 3, 2, 3)) {
            Tensor expected = l.unfused(b, Activation.TANH, true)[0];
            Emu.failNextCublas(15);
            b.linear(0.5, l.x(), l.w(), l.bias(), Activation.TANH, l.out());
            assertSame(expected, b.download(l.out()), "after NOT_SUPPORTED from the heuristic");
            assertEquals(0, Emu.ltMatmulCount());
            b.linear(0.5, l.x(), l.w(), l.bias(), Activation.TANH, l.out());
            assertEquals(0, Emu.ltMatmulCount(), "remembered");
            assertSame(expected, b.download(l.out()), "remembered");
        }
    }

    @Test
    void otherFailuresThrowNamingTheCall() {
        try (CudaBackend b = new CudaBackend(); Layer l = Layer.random(b, DType.F32, 8, 3, 2, 4)) {
            b.linear(0.5, l.x(), l.w(), l.bias(), Activation.TANH, l.out());
            Emu.failNextCublas(13);
            BackendException e = assertThrows(BackendException.class,
                    () -> b.linear(0.5, l.x(), l.w(), l.bias(), Activation.TANH, l.out()));
            assertTrue(e.getMessage().contains("cublasLtMatmul failed: CUBLAS_STATUS_EXECUTION_FAILED"), e.getMessage());
            Emu.failNextCublas(3);
            assertThrows(DeviceOutOfMemoryException.class,
                    () -> b.linear(0.5, l.x(), l.w(), l.bias(), Activation.TANH, l.out()));
            // still usable
            b.linear(0.5, l.x(), l.w(), l.bias(), Activation.TANH, l.out());
            assertSame(l.unfused(b, Activation.TANH, true)[0], b.download(l.out()), "after the failures");
        }
    }

    @Test
    void anAllocationFailureAnywhereLeavesNothingBehind() {
        for (int k = 1; k <= 8; k++) {
            Emu.reset();
            Emu.setLtReluKeepsNan(k % 2 == 0);
            try (CudaBackend b = new CudaBackend(); Layer l = Layer.random(b, DType.F32, 30, 140, 6, k)) {
                Tensor[] expected = l.unfused(b, Activation.RELU, true);
                Emu.failAllocAt(k);
                try {
                    Tensor signs = b.linearWithSigns(0.5, l.x(), l.w(), l.bias(), Activation.RELU, l.out());
                    assertSame(expected[0], b.download(l.out()), "allocation " + k + " failing");
                    assertSame(expected[1], signs, "allocation " + k + " failing");
                } catch (DeviceOutOfMemoryException e) {
                    // allowed: the caller (TileEngine) retries with smaller tiles
                }
                Emu.failAllocAt(0);
                Tensor signs = b.linearWithSigns(0.5, l.x(), l.w(), l.bias(), Activation.RELU, l.out());
                assertSame(expected[0], b.download(l.out()), "after allocation " + k + " failed");
                assertSame(expected[1], signs, "after allocation " + k + " failed");
            }
        }
    }

    @Test
    void agreesWithTheJavaBackend() {
        Emu.setLtReluKeepsNan(true);
        try (CudaBackend cuda = new CudaBackend(); Backend java = new JavaBackend()) {
            for (DType dtype : new DType[] {DType.F32, DType.F64}) {
                try (Layer c = Layer.random(cuda, dtype, 33, 70, 17, 9); Layer j = Layer.random(java, dtype, 33, 70, 17, 9)) {
                    Tensor signs = cuda.linearWithSigns(0.5, c.x(), c.w(), c.bias(), Activation.RELU, c.out());
                    Tensor[] expected = j.unfused(java, Activation.RELU, true);
                    Tensor actual = cuda.download(c.out());
                    double tol = dtype == DType.F64 ? 1e-12 : 1e-5;
                    for (long i = 0; i < actual.size(); i++) {
                        assertEquals(expected[0].getFlat(i), actual.getFlat(i), tol, dtype + " element " + i);
                    }
                    assertSame(expected[1], signs, dtype + " signs");
                }
            }
        }
    }

    @Test
    void patternsTakeTheirSignsFromTheBitMask() {
        // four hidden ReLU layers of odd widths
        Mlp mlp = Mlp.random(7, Activation.RELU, Parameterization.ntk(1.4, 0.3), DType.F32, 5, 70, 130, 64, 33, 2);
        Tensor x = Tensor.allocate(DType.F32, 301, 5);
        SplittableRandom rnd = new SplittableRandom(8);
        for (long i = 0; i < x.size(); i++) {
            x.setFlat(i, rnd.nextDouble(-2, 2));
        }
        PackedPatterns expected;
        try (Backend java = new JavaBackend()) {
            expected = ActivationPatterns.of(mlp).compute(java, x, null).packed();
        }
        Emu.setLtReluKeepsNan(true);
        try (CudaBackend b = new CudaBackend()) {
            PackedPatterns actual = ActivationPatterns.of(mlp).compute(b, x, null).packed();
            // one tile: the first layer's pre-activations and the last hidden layer with the bias epilogue,
            // the probe and hidden layers 2 and 3 with the bit mask
            assertEquals(3, Emu.ltEpilogueCount(EPILOGUE_RELU_AUX_BIAS), "the probe and two layers");
            assertEquals(2, Emu.ltEpilogueCount(EPILOGUE_BIAS));
            assertEquals(expected.bits(), actual.bits());
            for (long row = 0; row < expected.rows(); row++) {
                assertTrue(expected.rowEquals(row, actual, row), "pattern of row " + row);
            }
        }
    }
}
