package io.github.tangent4j.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test-only bindings of the CUDA emulation's hooks ({@code native/emu/t4j_emu.h}, exported by
 * {@code libt4j_emu.so} in the directory named by {@code -Dtangent4j.cuda.libs}), and the test
 * suites' way to ask whether the CUDA backend can be tested here.
 */
public final class Emu {
    private static final Path DIR;
    private static final String WHY_NOT;
    private static final MethodHandle LIVE_ALLOCATIONS;
    private static final MethodHandle LIVE_BYTES;
    private static final MethodHandle LIVE_HANDLES;
    private static final MethodHandle FAIL_ALLOC_AT;
    private static final MethodHandle FAIL_NEXT_LAUNCH;
    private static final MethodHandle FAIL_NEXT_CUBLAS;
    private static final MethodHandle FAIL_NEXT_COMPILE;
    private static final MethodHandle SET_MEMORY_BUDGET;
    private static final MethodHandle SET_DEVICE_COUNT;
    private static final MethodHandle SET_COMPUTE_CAPABILITY;
    private static final MethodHandle LAUNCH_COUNT;
    private static final MethodHandle GEMM_COUNT;
    private static final MethodHandle RESET;
    private static final MethodHandle LIVE_HOST_ALLOCATIONS;
    private static final MethodHandle POOL_CACHED_BLOCKS;
    private static final MethodHandle DEVICE_ALLOC_COUNT;
    private static final MethodHandle HOST_ALLOC_COUNT;
    private static final MethodHandle MEMSET_COUNT;
    private static final MethodHandle COPY_COUNT;
    private static final MethodHandle STREAM_WAIT_COUNT;
    private static final MethodHandle FAIL_HOST_ALLOC_AT;
    private static final MethodHandle FAIL_COPY_AT;
    private static final MethodHandle SET_MEMORY_POOLS_SUPPORTED;
    private static final MethodHandle LT_MATMUL_COUNT;
    private static final MethodHandle LT_LAST_EPILOGUE;
    private static final MethodHandle LT_EPILOGUE_COUNT;
    private static final MethodHandle SET_LT_RELU_KEEPS_NAN;
    private static final MethodHandle CORRUPT_NEXT_GEMM;
    private static final MethodHandle LEAK_NEXT_FREE;

    static {
        String dir = System.getProperty("tangent4j.cuda.libs");
        Path lib = dir == null ? null : Path.of(dir).resolve("libt4j_emu.so");
        SymbolLookup lookup = null;
        String why = null;
        if (lib == null) {
            why = "CUDA tests skipped: -Dtangent4j.cuda.libs is not set (surefire sets it to native/emu/build)";
        } else if (!Files.isRegularFile(lib)) {
            why = "CUDA tests skipped: the CUDA emulation was not built (" + lib + " is missing; "
                    + "native/emu/build.sh needs gcc and OpenBLAS's cblas.h)";
        } else {
            lookup = SymbolLookup.libraryLookup(lib, Arena.global());
        }
        DIR = lib == null ? null : lib.getParent();
        WHY_NOT = why;
        LIVE_ALLOCATIONS = handle(lookup, "t4j_emu_live_allocations", FunctionDescriptor.of(ValueLayout.JAVA_INT));
        LIVE_BYTES = handle(lookup, "t4j_emu_live_bytes", FunctionDescriptor.of(ValueLayout.JAVA_LONG));
        LIVE_HANDLES = handle(lookup, "t4j_emu_live_handles", FunctionDescriptor.of(ValueLayout.JAVA_INT));
        FAIL_ALLOC_AT = handle(lookup, "t4j_emu_fail_alloc_at", FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
        FAIL_NEXT_LAUNCH = handle(lookup, "t4j_emu_fail_next_launch", FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
        FAIL_NEXT_CUBLAS = handle(lookup, "t4j_emu_fail_next_cublas", FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
        FAIL_NEXT_COMPILE = handle(lookup, "t4j_emu_fail_next_compile", FunctionDescriptor.ofVoid());
        SET_MEMORY_BUDGET = handle(lookup, "t4j_emu_set_memory_budget",
                FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG));
        SET_DEVICE_COUNT = handle(lookup, "t4j_emu_set_device_count", FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
        SET_COMPUTE_CAPABILITY = handle(lookup, "t4j_emu_set_compute_capability",
                FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        LAUNCH_COUNT = handle(lookup, "t4j_emu_launch_count", FunctionDescriptor.of(ValueLayout.JAVA_LONG));
        GEMM_COUNT = handle(lookup, "t4j_emu_gemm_count", FunctionDescriptor.of(ValueLayout.JAVA_LONG));
        RESET = handle(lookup, "t4j_emu_reset", FunctionDescriptor.ofVoid());
        LIVE_HOST_ALLOCATIONS = handle(lookup, "t4j_emu_live_host_allocations", FunctionDescriptor.of(ValueLayout.JAVA_INT));
        POOL_CACHED_BLOCKS = handle(lookup, "t4j_emu_pool_cached_blocks", FunctionDescriptor.of(ValueLayout.JAVA_INT));
        DEVICE_ALLOC_COUNT = handle(lookup, "t4j_emu_device_alloc_count", FunctionDescriptor.of(ValueLayout.JAVA_LONG));
        HOST_ALLOC_COUNT = handle(lookup, "t4j_emu_host_alloc_count", FunctionDescriptor.of(ValueLayout.JAVA_LONG));
        MEMSET_COUNT = handle(lookup, "t4j_emu_memset_count", FunctionDescriptor.of(ValueLayout.JAVA_LONG));
        COPY_COUNT = handle(lookup, "t4j_emu_copy_count", FunctionDescriptor.of(ValueLayout.JAVA_LONG));
        STREAM_WAIT_COUNT = handle(lookup, "t4j_emu_stream_wait_count", FunctionDescriptor.of(ValueLayout.JAVA_LONG));
        FAIL_HOST_ALLOC_AT = handle(lookup, "t4j_emu_fail_host_alloc_at", FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
        FAIL_COPY_AT = handle(lookup, "t4j_emu_fail_copy_at", FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        SET_MEMORY_POOLS_SUPPORTED = handle(lookup, "t4j_emu_set_memory_pools_supported", FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
        LT_MATMUL_COUNT = handle(lookup, "t4j_emu_lt_matmul_count", FunctionDescriptor.of(ValueLayout.JAVA_LONG));
        LT_LAST_EPILOGUE = handle(lookup, "t4j_emu_lt_last_epilogue", FunctionDescriptor.of(ValueLayout.JAVA_INT));
        LT_EPILOGUE_COUNT = handle(lookup, "t4j_emu_lt_epilogue_count",
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        CORRUPT_NEXT_GEMM = handle(lookup, "t4j_emu_corrupt_next_gemm", FunctionDescriptor.ofVoid());
        LEAK_NEXT_FREE = handle(lookup, "t4j_emu_leak_next_free", FunctionDescriptor.ofVoid());
        SET_LT_RELU_KEEPS_NAN = handle(lookup, "t4j_emu_set_lt_relu_keeps_nan",
                FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
    }

    private Emu() {
    }

    private static MethodHandle handle(SymbolLookup lookup, String name, FunctionDescriptor fd) {
        return lookup == null ? null
                : Linker.nativeLinker().downcallHandle(lookup.find(name).orElseThrow(), fd);
    }

    /** Whether the emulation is built and the CUDA backend can be tested. */
    public static boolean available() {
        return WHY_NOT == null;
    }

    /** Why the CUDA cases are skipped (null when {@link #available()}). */
    public static String whyNot() {
        return WHY_NOT;
    }

    /** The emulation's directory. */
    public static Path dir() {
        return DIR;
    }

    private static RuntimeException rethrow(Throwable t) {
        return t instanceof RuntimeException r ? r : new IllegalStateException(t);
    }

    /** Device allocations not yet freed. */
    public static int liveAllocations() {
        try {
            return (int) LIVE_ALLOCATIONS.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Bytes in live allocations. */
    public static long liveBytes() {
        try {
            return (long) LIVE_BYTES.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Streams, handles, modules, programs and context retains not released. */
    public static int liveHandles() {
        try {
            return (int) LIVE_HANDLES.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The k-th next cudaMalloc or cudaMallocAsync fails with cudaErrorMemoryAllocation. */
    public static void failAllocAt(int k) {
        try {
            FAIL_ALLOC_AT.invokeExact(k);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The next cuLaunchKernel returns {@code code}. */
    public static void failNextLaunch(int code) {
        try {
            FAIL_NEXT_LAUNCH.invokeExact(code);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The next cuBLAS GEMM, cuBLASLt heuristic query or cuBLASLt matmul returns {@code status}. */
    public static void failNextCublas(int status) {
        try {
            FAIL_NEXT_CUBLAS.invokeExact(status);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The next nvrtcCompileProgram fails with NVRTC_ERROR_COMPILATION. */
    public static void failNextCompile() {
        try {
            FAIL_NEXT_COMPILE.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Total device memory in bytes. */
    public static void setMemoryBudget(long bytes) {
        try {
            SET_MEMORY_BUDGET.invokeExact(bytes);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Number of devices (0 or 1). */
    public static void setDeviceCount(int n) {
        try {
            SET_DEVICE_COUNT.invokeExact(n);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The compute capability the device reports. */
    public static void setComputeCapability(int major, int minor) {
        try {
            SET_COMPUTE_CAPABILITY.invokeExact(major, minor);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Kernel launches since the last reset. */
    public static long launchCount() {
        try {
            return (long) LAUNCH_COUNT.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** cuBLAS GEMMs since the last reset. */
    public static long gemmCount() {
        try {
            return (long) GEMM_COUNT.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** cublasLtMatmul calls since the last reset. */
    public static long ltMatmulCount() {
        try {
            return (long) LT_MATMUL_COUNT.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The epilogue (cublasLtEpilogue_t) of the last cublasLtMatmul since the last reset, 0 if none. */
    public static int ltLastEpilogue() {
        try {
            return (int) LT_LAST_EPILOGUE.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** cublasLtMatmul calls with that epilogue (cublasLtEpilogue_t) since the last reset. */
    public static long ltEpilogueCount(int epilogue) {
        try {
            return (long) LT_EPILOGUE_COUNT.invokeExact(epilogue);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Whether the emulated cuBLASLt ReLU epilogues keep NaN (default: they give 0, as max(x, 0)). */
    public static void setLtReluKeepsNan(boolean keep) {
        try {
            SET_LT_RELU_KEEPS_NAN.invokeExact(keep ? 1 : 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The next GEMM (cuBLAS or cuBLASLt) succeeds with 1 added to its first output element. */
    public static void corruptNextGemm() {
        try {
            CORRUPT_NEXT_GEMM.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The next cudaFree reports success but keeps the memory. */
    public static void leakNextFree() {
        try {
            LEAK_NEXT_FREE.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Disarms failures, restores budget and device count, zeroes counters. */
    public static void reset() {
        try {
            RESET.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Pinned host allocations (cudaMallocHost) not yet freed. */
    public static int liveHostAllocations() {
        try {
            return (int) LIVE_HOST_ALLOCATIONS.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Blocks freed into the default memory pool and still cached there. */
    public static int poolCachedBlocks() {
        try {
            return (int) POOL_CACHED_BLOCKS.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** New device memory obtained (cudaMalloc, and cudaMallocAsync not served from the pool's cache) since the last reset. */
    public static long deviceAllocCount() {
        try {
            return (long) DEVICE_ALLOC_COUNT.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Successful cudaMallocHost calls since the last reset. */
    public static long hostAllocCount() {
        try {
            return (long) HOST_ALLOC_COUNT.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** cudaMemsetAsync calls that ran since the last reset. */
    public static long memsetCount() {
        try {
            return (long) MEMSET_COUNT.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** cudaMemcpy and cudaMemcpyAsync calls since the last reset. */
    public static long copyCount() {
        try {
            return (long) COPY_COUNT.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Successful cudaStreamWaitEvent calls since the last reset. */
    public static long streamWaitCount() {
        try {
            return (long) STREAM_WAIT_COUNT.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The k-th next cudaMallocHost fails with cudaErrorMemoryAllocation. */
    public static void failHostAllocAt(int k) {
        try {
            FAIL_HOST_ALLOC_AT.invokeExact(k);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The k-th next cudaMemcpy or cudaMemcpyAsync returns {@code code} and copies nothing. */
    public static void failCopyAt(int k, int code) {
        try {
            FAIL_COPY_AT.invokeExact(k, code);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Whether the device reports memory-pool support (1, the default, or 0). */
    public static void setMemoryPoolsSupported(int yes) {
        try {
            SET_MEMORY_POOLS_SUPPORTED.invokeExact(yes);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
