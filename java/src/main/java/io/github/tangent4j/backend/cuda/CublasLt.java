package io.github.tangent4j.backend.cuda;

import static io.github.tangent4j.backend.cuda.Native.C_INT;
import static io.github.tangent4j.backend.cuda.Native.C_LONG;
import static io.github.tangent4j.backend.cuda.Native.C_POINTER;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Bindings of the cuBLASLt subset in {@code include/cublaslt_subset.h} (libcublasLt.so.13 or .12).
 * Each method is the C function of the same name, returning its {@code cublasStatus_t} (the codes and
 * {@link Cublas#check} of cuBLAS). Unlike the four required libraries, cuBLASLt is optional: when it
 * is missing, or lacks a symbol, {@link #LIBRARY} says why and the CUDA backend runs its GEMMs and
 * epilogues without it.
 */
final class CublasLt {
    static final int CUBLAS_STATUS_NOT_SUPPORTED = 15;
    static final int CUDA_R_32F = 0;
    static final int CUDA_R_64F = 1;
    static final int CUBLAS_COMPUTE_32F = 68;
    static final int CUBLAS_COMPUTE_64F = 70;
    static final int CUBLAS_COMPUTE_32F_FAST_TF32 = 77;
    static final int MATMUL_DESC_TRANSA = 3;
    static final int MATMUL_DESC_TRANSB = 4;
    static final int MATMUL_DESC_EPILOGUE = 7;
    static final int MATMUL_DESC_BIAS_POINTER = 8;
    static final int MATMUL_DESC_EPILOGUE_AUX_POINTER = 11;
    static final int MATMUL_DESC_EPILOGUE_AUX_LD = 12;
    static final int EPILOGUE_DEFAULT = 1;
    static final int EPILOGUE_RELU = 2;
    static final int EPILOGUE_BIAS = 4;
    static final int EPILOGUE_RELU_BIAS = 6;
    static final int EPILOGUE_RELU_AUX = 130;
    static final int EPILOGUE_RELU_AUX_BIAS = 134;
    static final int MATMUL_PREF_MAX_WORKSPACE_BYTES = 1;
    /** Then _B_ (6), _C_ (7) and _D_BYTES (8): uint32_t alignments the pointers will have. */
    static final int MATMUL_PREF_MIN_ALIGNMENT_A_BYTES = 5;
    /** The bit mask's leading dimension must be a multiple of this many bits. */
    static final int AUX_LD_MULTIPLE = 128;
    /** sizeof(cublasLtMatmulAlgo_t). */
    static final long ALGO_BYTES = 64;
    /** sizeof(cublasLtMatmulHeuristicResult_t): algo, size_t workspaceSize, state, float wavesCount, int[4]. */
    static final long HEURISTIC_RESULT_BYTES = 96;
    /** Offset of workspaceSize in a heuristic result. */
    static final long HEURISTIC_WORKSPACE_OFFSET = 64;
    /** Offset of state in a heuristic result. */
    static final long HEURISTIC_STATE_OFFSET = 72;

    /** The library, found once per process. */
    static final NativeLibrary LIBRARY = NativeLibrary.load("libcublasLt", "libcublasLt.so.13", "libcublasLt.so.12");

    private static final FunctionDescriptor ONE_POINTER = FunctionDescriptor.of(C_INT, C_POINTER);
    private static final FunctionDescriptor SET_ATTRIBUTE = FunctionDescriptor.of(C_INT, C_POINTER, C_INT,
            C_POINTER, C_LONG);
    private static final MethodHandle CREATE = LIBRARY.downcall("cublasLtCreate", ONE_POINTER);
    private static final MethodHandle DESTROY = LIBRARY.downcall("cublasLtDestroy", ONE_POINTER);
    private static final MethodHandle GET_VERSION = LIBRARY.downcall("cublasLtGetVersion",
            FunctionDescriptor.of(C_LONG));
    private static final MethodHandle DESC_CREATE = LIBRARY.downcall("cublasLtMatmulDescCreate",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT));
    private static final MethodHandle DESC_DESTROY = LIBRARY.downcall("cublasLtMatmulDescDestroy", ONE_POINTER);
    private static final MethodHandle DESC_SET = LIBRARY.downcall("cublasLtMatmulDescSetAttribute", SET_ATTRIBUTE);
    private static final MethodHandle LAYOUT_CREATE = LIBRARY.downcall("cublasLtMatrixLayoutCreate",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_LONG, C_LONG, C_LONG));
    private static final MethodHandle LAYOUT_DESTROY = LIBRARY.downcall("cublasLtMatrixLayoutDestroy", ONE_POINTER);
    private static final MethodHandle PREF_CREATE = LIBRARY.downcall("cublasLtMatmulPreferenceCreate", ONE_POINTER);
    private static final MethodHandle PREF_DESTROY = LIBRARY.downcall("cublasLtMatmulPreferenceDestroy",
            ONE_POINTER);
    private static final MethodHandle PREF_SET = LIBRARY.downcall("cublasLtMatmulPreferenceSetAttribute",
            SET_ATTRIBUTE);
    private static final MethodHandle HEURISTIC = LIBRARY.downcall("cublasLtMatmulAlgoGetHeuristic",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER,
                    C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle MATMUL = LIBRARY.downcall("cublasLtMatmul",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER,
                    C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_LONG, C_POINTER));

    private CublasLt() {
    }

    static int cublasLtCreate(MemorySegment handle) {
        return Native.call(() -> (int) CREATE.invokeExact(handle));
    }

    static int cublasLtDestroy(MemorySegment handle) {
        return Native.call(() -> (int) DESTROY.invokeExact(handle));
    }

    /** 10000 * major + 100 * minor + patch. */
    static long cublasLtGetVersion() {
        return Native.call(() -> (long) GET_VERSION.invokeExact());
    }

    static int cublasLtMatmulDescCreate(MemorySegment desc, int computeType, int scaleType) {
        return Native.call(() -> (int) DESC_CREATE.invokeExact(desc, computeType, scaleType));
    }

    static int cublasLtMatmulDescDestroy(MemorySegment desc) {
        return Native.call(() -> (int) DESC_DESTROY.invokeExact(desc));
    }

    static int cublasLtMatmulDescSetAttribute(MemorySegment desc, int attribute, MemorySegment buf, long size) {
        return Native.call(() -> (int) DESC_SET.invokeExact(desc, attribute, buf, size));
    }

    static int cublasLtMatrixLayoutCreate(MemorySegment layout, int type, long rows, long cols, long ld) {
        return Native.call(() -> (int) LAYOUT_CREATE.invokeExact(layout, type, rows, cols, ld));
    }

    static int cublasLtMatrixLayoutDestroy(MemorySegment layout) {
        return Native.call(() -> (int) LAYOUT_DESTROY.invokeExact(layout));
    }

    static int cublasLtMatmulPreferenceCreate(MemorySegment pref) {
        return Native.call(() -> (int) PREF_CREATE.invokeExact(pref));
    }

    static int cublasLtMatmulPreferenceDestroy(MemorySegment pref) {
        return Native.call(() -> (int) PREF_DESTROY.invokeExact(pref));
    }

    static int cublasLtMatmulPreferenceSetAttribute(MemorySegment pref, int attribute, MemorySegment buf, long size) {
        return Native.call(() -> (int) PREF_SET.invokeExact(pref, attribute, buf, size));
    }

    static int cublasLtMatmulAlgoGetHeuristic(MemorySegment handle, MemorySegment desc, MemorySegment a,
            MemorySegment b, MemorySegment c, MemorySegment d, MemorySegment pref, int requested,
            MemorySegment results, MemorySegment returned) {
        return Native.call(() -> (int) HEURISTIC.invokeExact(handle, desc, a, b, c, d, pref, requested, results,
                returned));
    }

    static int cublasLtMatmul(MemorySegment handle, MemorySegment desc, MemorySegment alpha, MemorySegment a,
            MemorySegment aDesc, MemorySegment b, MemorySegment bDesc, MemorySegment beta, MemorySegment c,
            MemorySegment cDesc, MemorySegment d, MemorySegment dDesc, MemorySegment algo, MemorySegment workspace,
            long workspaceBytes, MemorySegment stream) {
        return Native.call(() -> (int) MATMUL.invokeExact(handle, desc, alpha, a, aDesc, b, bDesc, beta, c,
                cDesc, d, dDesc, algo, workspace, workspaceBytes, stream));
    }
}
