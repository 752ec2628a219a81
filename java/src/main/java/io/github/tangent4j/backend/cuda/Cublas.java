package io.github.tangent4j.backend.cuda;

import static io.github.tangent4j.backend.cuda.Native.C_INT;
import static io.github.tangent4j.backend.cuda.Native.C_LONG;
import static io.github.tangent4j.backend.cuda.Native.C_POINTER;

import io.github.tangent4j.backend.BackendException;
import io.github.tangent4j.backend.DeviceOutOfMemoryException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Bindings of the cuBLAS v2 subset in {@code include/cublas_subset.h} (libcublas.so.13 or .12).
 * Each method is the C function of the same name (the {@code _v2} symbol where cuBLAS has one),
 * returning its {@code cublasStatus_t}. Column-major; alpha and beta by host pointer.
 */
final class Cublas {
    static final int CUBLAS_STATUS_SUCCESS = 0;
    static final int CUBLAS_STATUS_ALLOC_FAILED = 3;
    static final int CUBLAS_OP_N = 0;
    static final int CUBLAS_OP_T = 1;
    static final int CUBLAS_DEFAULT_MATH = 0;
    static final int CUBLAS_PEDANTIC_MATH = 2;
    static final int CUBLAS_TF32_TENSOR_OP_MATH = 3;

    /** The library, found once per process. */
    static final NativeLibrary LIBRARY = NativeLibrary.load("libcublas", "libcublas.so.13", "libcublas.so.12");

    private static final MethodHandle CREATE = LIBRARY.downcall("cublasCreate_v2",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle DESTROY = LIBRARY.downcall("cublasDestroy_v2",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle GET_VERSION = LIBRARY.downcall("cublasGetVersion_v2",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle SET_STREAM = LIBRARY.downcall("cublasSetStream_v2",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle SET_MATH_MODE = LIBRARY.downcall("cublasSetMathMode",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
    private static final MethodHandle GET_STATUS_STRING = LIBRARY.downcall("cublasGetStatusString",
            FunctionDescriptor.of(C_POINTER, C_INT), Linker.Option.critical(false));
    private static final FunctionDescriptor GEMM = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT,
            C_INT, C_INT, C_INT, C_POINTER, C_POINTER, C_INT, C_POINTER, C_INT, C_POINTER, C_POINTER, C_INT);
    private static final FunctionDescriptor GEMM_STRIDED_BATCHED = FunctionDescriptor.of(C_INT, C_POINTER,
            C_INT, C_INT, C_INT, C_INT, C_INT, C_POINTER, C_POINTER, C_INT, C_LONG, C_POINTER, C_INT, C_LONG,
            C_POINTER, C_POINTER, C_INT, C_LONG, C_INT);
    private static final MethodHandle DGEMM = LIBRARY.downcall("cublasDgemm_v2", GEMM);
    private static final MethodHandle SGEMM = LIBRARY.downcall("cublasSgemm_v2", GEMM);
    private static final MethodHandle DGEMM_STRIDED_BATCHED = LIBRARY.downcall("cublasDgemmStridedBatched",
            GEMM_STRIDED_BATCHED);
    private static final MethodHandle SGEMM_STRIDED_BATCHED = LIBRARY.downcall("cublasSgemmStridedBatched",
            GEMM_STRIDED_BATCHED);

    private Cublas() {
    }

    static int cublasCreate_v2(MemorySegment handle) {
        return Native.call(() -> (int) CREATE.invokeExact(handle));
    }

    static int cublasDestroy_v2(MemorySegment handle) {
        return Native.call(() -> (int) DESTROY.invokeExact(handle));
    }

    static int cublasGetVersion_v2(MemorySegment handle, MemorySegment version) {
        return Native.call(() -> (int) GET_VERSION.invokeExact(handle, version));
    }

    static int cublasSetStream_v2(MemorySegment handle, MemorySegment stream) {
        return Native.call(() -> (int) SET_STREAM.invokeExact(handle, stream));
    }

    static int cublasSetMathMode(MemorySegment handle, int mode) {
        return Native.call(() -> (int) SET_MATH_MODE.invokeExact(handle, mode));
    }

    static MemorySegment cublasGetStatusString(int status) {
        return Native.call(() -> (MemorySegment) GET_STATUS_STRING.invokeExact(status));
    }

    /** cublasDgemm_v2 when {@code f64}, else cublasSgemm_v2 (alpha and beta then point to floats). */
    static int cublasGemm(boolean f64, MemorySegment handle, int transa, int transb, int m, int n, int k,
            MemorySegment alpha, MemorySegment a, int lda, MemorySegment b, int ldb, MemorySegment beta,
            MemorySegment c, int ldc) {
        MethodHandle gemm = f64 ? DGEMM : SGEMM;
        return Native.call(() -> (int) gemm.invokeExact(handle, transa, transb, m, n, k, alpha, a, lda, b, ldb,
                beta, c, ldc));
    }

    /** cublasDgemmStridedBatched when {@code f64}, else cublasSgemmStridedBatched. */
    static int cublasGemmStridedBatched(boolean f64, MemorySegment handle, int transa, int transb, int m, int n,
            int k, MemorySegment alpha, MemorySegment a, int lda, long strideA, MemorySegment b, int ldb,
            long strideB, MemorySegment beta, MemorySegment c, int ldc, long strideC, int batchCount) {
        MethodHandle gemm = f64 ? DGEMM_STRIDED_BATCHED : SGEMM_STRIDED_BATCHED;
        return Native.call(() -> (int) gemm.invokeExact(handle, transa, transb, m, n, k, alpha, a, lda, strideA,
                b, ldb, strideB, beta, c, ldc, strideC, batchCount));
    }

    /**
     * {@code "CUBLAS_STATUS_INVALID_VALUE (7)"} for a status, followed by cuBLAS's own text when it
     * says more than the name.
     */
    static String describe(int status) {
        String name = statusName(status);
        String text = Native.cString(cublasGetStatusString(status));
        return name + " (" + status + ")" + (text == null || text.equals(name) ? "" : ": " + text);
    }

    /** The enumerator name of a cublasStatus_t (values of cublas_api.h). */
    static String statusName(int status) {
        return switch (status) {
            case 0 -> "CUBLAS_STATUS_SUCCESS";
            case 1 -> "CUBLAS_STATUS_NOT_INITIALIZED";
            case 3 -> "CUBLAS_STATUS_ALLOC_FAILED";
            case 7 -> "CUBLAS_STATUS_INVALID_VALUE";
            case 8 -> "CUBLAS_STATUS_ARCH_MISMATCH";
            case 11 -> "CUBLAS_STATUS_MAPPING_ERROR";
            case 13 -> "CUBLAS_STATUS_EXECUTION_FAILED";
            case 14 -> "CUBLAS_STATUS_INTERNAL_ERROR";
            case 15 -> "CUBLAS_STATUS_NOT_SUPPORTED";
            case 16 -> "CUBLAS_STATUS_LICENSE_ERROR";
            default -> "cublasStatus_t";
        };
    }

    /**
     * Throws unless CUBLAS_STATUS_SUCCESS: {@link DeviceOutOfMemoryException} for
     * CUBLAS_STATUS_ALLOC_FAILED, else {@link BackendException} {@code "<call> failed: <name> (<code>)"}.
     */
    static void check(int status, String call) {
        if (status != CUBLAS_STATUS_SUCCESS) {
            throw Native.failure(call, describe(status), status == CUBLAS_STATUS_ALLOC_FAILED, 0);
        }
    }
}
