package io.github.tangent4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.tangent4j.backend.BackendException;
import io.github.tangent4j.backend.Backends;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.DeviceOutOfMemoryException;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The CUDA backend on the emulation: failure injection, leaks, probing and what runs on the device. */
@ExtendWith(EmuLeakCheck.class)
class CudaBackendTest {
    /** The live allocations and handles when the test starts (after {@link EmuLeakCheck}'s reset). */
    private int allocations;
    private int handles;

    @BeforeEach
    void baseline() {
        allocations = Emu.liveAllocations();
        handles = Emu.liveHandles();
    }

    @Test
    void librariesComeFromTheConfiguredDirectory() {
        for (NativeLibrary lib : List.of(CudaRuntime.LIBRARY, CudaDriver.LIBRARY, Nvrtc.LIBRARY, Cublas.LIBRARY)) {
            assertTrue(lib.isAvailable(), lib.problem());
            assertTrue(lib.location().startsWith(Emu.dir().toString()), lib.title() + " at " + lib.location());
        }
    }

    @Test
    void describesTheDeviceAndRunsOnIt() {
        try (CudaBackend b = new CudaBackend()) {
            assertEquals("cuda", b.name());
            assertTrue(b.description().contains("tangent4j emulated device"), b.description());
            assertTrue(b.description().contains("compute capability 9.0"), b.description());
            assertTrue(b.description().contains("true FP32"), b.description());
            DeviceMatrix a = b.upload(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2));
            DeviceMatrix c = b.allocate(DType.F64, 2, 2);
            b.gemm(false, true, 1, a, a, 0, c);
            b.activate(Activation.RELU, c, c);
            assertEquals(1, Emu.gemmCount(), "GEMM ran in cuBLAS");
            assertEquals(1, Emu.launchCount(), "activation ran as a kernel");
            assertEquals(List.of(5.0, 11.0, 11.0, 25.0), boxed(b.download(c).toDoubleArray()));
        }
    }

    @Test
    void tf32IsOnlyUsedWhenAskedFor() {
        try (CudaBackend b = new CudaBackend(new CudaBackend.Options(0, true))) {
            assertTrue(b.description().contains("TF32"), b.description());
            assertTrue(b.options().tf32());
        }
        assertEquals(false, CudaBackend.Options.fromSystemProperties().tf32());
    }

    private static List<Double> boxed(double[] v) {
        return java.util.Arrays.stream(v).boxed().toList();
    }

    @Test
    void outOfMemoryAtTheKthAllocationThrowsAndLeaksNothing() {
        try (CudaBackend b = new CudaBackend()) {
            DeviceMatrix first = b.allocate(DType.F64, 10, 10);
            Emu.failAllocAt(2);
            DeviceMatrix second = b.allocate(DType.F64, 10, 10);
            DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class,
                    () -> b.allocate(DType.F32, 100, 10));
            assertTrue(e.getMessage().contains("cudaMallocAsync(4000 bytes) failed: cudaErrorMemoryAllocation (2)"),
                    e.getMessage());
            assertEquals(4000, e.requestedBytes());
            assertEquals(2, b.openAllocations());
            assertEquals(allocations + 2, Emu.liveAllocations());
            // still usable
            b.fill(second, 2);
            b.copy(second, first);
            assertEquals(200.0, java.util.Arrays.stream(b.download(first).toDoubleArray()).sum());
            // signBits' temporary allocation failing leaks nothing either
            Emu.failAllocAt(1);
            assertThrows(DeviceOutOfMemoryException.class, () -> b.signBits(first));
            assertEquals(allocations + 2, Emu.liveAllocations());
        }
    }

    @Test
    void outOfMemoryByBudget() {
        Emu.setMemoryBudget(1 << 20);
        try (CudaBackend b = new CudaBackend()) {
            assertTrue(b.availableMemory() <= 1 << 20);
            DeviceMatrix fits = b.allocate(DType.F64, 300, 256); // 600 KiB
            assertThrows(DeviceOutOfMemoryException.class, () -> b.allocate(DType.F64, 300, 256));
            fits.close();
            b.allocate(DType.F64, 300, 256).close();
        }
    }

    @Test
    void launchFailureNamesTheCallAndLeavesTheBackendUsable() {
        try (CudaBackend b = new CudaBackend()) {
            DeviceMatrix m = b.allocate(DType.F64, 3, 3);
            Emu.failNextLaunch(719);
            BackendException e = assertThrows(BackendException.class, () -> b.activate(Activation.TANH, m, m));
            assertTrue(e.getMessage().startsWith("cuLaunchKernel(t4j_activate_f64) failed: CUDA_ERROR_LAUNCH_FAILED (719)"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("launch failure"), e.getMessage());
            b.fill(m, 1);
            b.activate(Activation.TANH, m, m);
            for (double x : b.download(m).toDoubleArray()) {
                assertEquals(Math.tanh(1), x, 1e-15);
            }
        }
    }

    @Test
    void cublasFailureNamesTheCallAndStatus() {
        try (CudaBackend b = new CudaBackend()) {
            DeviceMatrix a = b.allocate(DType.F64, 2, 2);
            DeviceMatrix f = b.allocate(DType.F32, 4, 2);
            Emu.failNextCublas(13);
            BackendException e = assertThrows(BackendException.class, () -> b.gemm(false, false, 1, a, a, 0, b.allocate(
                    DType.F64, 2, 2)));
            assertTrue(e.getMessage().startsWith("cublasDgemm_v2 failed: CUBLAS_STATUS_EXECUTION_FAILED (13)"),
                    e.getMessage());
            Emu.failNextCublas(7);
            e = assertThrows(BackendException.class, () -> b.gemmBatched(2, false, false, 1, f, f.reshape(4, 2), 0,
                    b.allocate(DType.F32, 4, 2)));
            assertTrue(e.getMessage().startsWith("cublasSgemmStridedBatched failed: CUBLAS_STATUS_INVALID_VALUE (7)"),
                    e.getMessage());
            Emu.failNextCublas(3);
            assertThrows(DeviceOutOfMemoryException.class, () -> b.gemm(false, false, 1, a, a, 0, b.allocate(
                    DType.F64, 2, 2)));
        }
    }

    @Test
    void compileFailureReportsTheLog() {
        Emu.failNextCompile();
        BackendException e = assertThrows(BackendException.class,
                () -> KernelCompiler.compile(KernelCompiler.source(), "test.cu", List.of("--gpu-architecture=compute_90")));
        assertTrue(e.getMessage().contains("nvrtcCompileProgram(test.cu, --gpu-architecture=compute_90) failed: "
                + "NVRTC_ERROR_COMPILATION (6); log: "), e.getMessage());
        assertTrue(e.getMessage().length() > e.getMessage().indexOf("log: ") + 6, "the log is not empty");
        // an option NVRTC does not know
        e = assertThrows(BackendException.class,
                () -> KernelCompiler.compile(KernelCompiler.source(), "test.cu", List.of("--no-such-option")));
        assertTrue(e.getMessage().contains("NVRTC_ERROR_INVALID_OPTION (5)"), e.getMessage());
        // and the real thing compiles
        byte[] ptx = KernelCompiler.ptx(9, 0);
        assertEquals(0, ptx[ptx.length - 1]);
        assertTrue(new String(ptx, java.nio.charset.StandardCharsets.US_ASCII).contains("t4j_sign_bits_f32"));
    }

    @Test
    void noDeviceIsReportedAsNoGpuAndAutoFallsBackToJava() {
        Emu.setDeviceCount(0);
        List<String> problems = CudaProbe.problems();
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("no GPU: cudaGetDeviceCount returned cudaErrorNoDevice (100)"),
                problems.get(0));
        BackendException e = assertThrows(BackendException.class, () -> new CudaBackendProvider().create());
        assertTrue(e.getMessage().contains("no GPU"), e.getMessage());
        String forced = System.getProperty(Backends.PROPERTY);
        assumeTrue(forced == null || forced.isBlank(), "backend forced by -D" + Backends.PROPERTY);
        Backends.Selection s = Backends.select();
        try {
            assertEquals("java", s.backend().name());
            assertTrue(s.reason().contains("cuda unavailable: no GPU: cudaGetDeviceCount returned cudaErrorNoDevice"),
                    s.reason());
        } finally {
            s.backend().close();
        }
        Emu.setDeviceCount(1);
        Backends.Selection cuda = Backends.select();
        try {
            assertEquals("cuda", cuda.backend().name(), cuda.reason());
        } finally {
            cuda.backend().close();
        }
    }

    @Test
    void kernelsAreCompiledForTheDevicesComputeCapability() {
        Emu.setComputeCapability(8, 6);
        try (CudaBackend b = new CudaBackend()) {
            assertTrue(b.description().contains("compute capability 8.6"), b.description());
            DeviceMatrix m = b.allocate(DType.F32, 2, 3);
            b.fill(m, -1);
            b.activate(Activation.ABS, m, m);
            assertEquals(6.0, java.util.Arrays.stream(b.download(m).toDoubleArray()).sum());
        }
        // an architecture NVRTC 13 no longer accepts: the first kernel use fails with the compiler's answer
        Emu.setComputeCapability(7, 0);
        try (CudaBackend b = new CudaBackend()) {
            DeviceMatrix m = b.allocate(DType.F64, 2, 3);
            BackendException e = assertThrows(BackendException.class, () -> b.fill(m, 1));
            assertTrue(e.getMessage().startsWith("nvrtcCompileProgram(tangent4j_kernels.cu, "
                    + "--gpu-architecture=compute_70"), e.getMessage());
            b.fill(m, 0); // memset needs no kernel: the backend still works
            assertEquals(0.0, java.util.Arrays.stream(b.download(m).toDoubleArray()).sum());
        }
    }

    @Test
    void freedByTheBackendEvenAfterTheMatricesAreForgotten() {
        CudaBackend b = new CudaBackend();
        for (int i = 0; i < 5; i++) {
            b.allocate(DType.F32, 100, 100);
        }
        b.activate(Activation.ERF, b.allocate(DType.F64, 3, 3), b.allocate(DType.F64, 3, 3)); // loads the module
        assertEquals(allocations + 7, Emu.liveAllocations());
        b.close();
        assertEquals(allocations, Emu.liveAllocations());
        assertEquals(handles, Emu.liveHandles());
    }

    @Test
    void gemmDimensionsBeyondIntAreRejectedWithAMessage() {
        BackendException e = assertThrows(BackendException.class,
                () -> ColumnMajorGemm.ofRowMajor(false, false, 1L << 31, 2, 2, 2, 2, 2));
        assertTrue(e.getMessage().contains("m = 2147483648 exceeds the 32-bit limit"), e.getMessage());
        assertNotNull(ColumnMajorGemm.ofRowMajor(false, false, Integer.MAX_VALUE, 1, 1, 1, 1, 1));
    }
}
