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
 * Bindings of the CUDA runtime subset in {@code include/cuda_runtime_subset.h} (libcudart.so.13 or
 * .12). Each method is the C function of the same name, returning its {@code cudaError_t};
 * {@link #check} turns a status into an exception.
 */
final class CudaRuntime {
    static final int CUDA_SUCCESS = 0;
    static final int CUDA_ERROR_MEMORY_ALLOCATION = 2;
    static final int CUDA_ERROR_INSUFFICIENT_DRIVER = 35;
    static final int CUDA_ERROR_NO_DEVICE = 100;
    static final int CUDA_ERROR_NOT_SUPPORTED = 801;
    static final int DEV_ATTR_MEMORY_POOLS_SUPPORTED = 115;
    static final int MEM_POOL_REUSE_ALLOW_INTERNAL_DEPENDENCIES = 3;
    static final int MEM_POOL_ATTR_RELEASE_THRESHOLD = 4;
    static final int MEM_POOL_ATTR_RESERVED_MEM_CURRENT = 5;
    static final int MEM_POOL_ATTR_USED_MEM_CURRENT = 7;
    static final int EVENT_DISABLE_TIMING = 0x02;
    static final int MEMCPY_HOST_TO_DEVICE = 1;
    static final int MEMCPY_DEVICE_TO_HOST = 2;
    static final int MEMCPY_DEVICE_TO_DEVICE = 3;

    /** The library, found once per process. */
    static final NativeLibrary LIBRARY = NativeLibrary.load("libcudart", "libcudart.so.13", "libcudart.so.12");

    private static final Linker.Option CRITICAL = Linker.Option.critical(false);
    private static final MethodHandle GET_DEVICE_COUNT = LIBRARY.downcall("cudaGetDeviceCount",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle GET_DEVICE = LIBRARY.downcall("cudaGetDevice",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle SET_DEVICE = LIBRARY.downcall("cudaSetDevice",
            FunctionDescriptor.of(C_INT, C_INT));
    private static final MethodHandle DEVICE_GET_ATTRIBUTE = LIBRARY.downcall("cudaDeviceGetAttribute",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT));
    private static final MethodHandle MALLOC = LIBRARY.downcall("cudaMalloc",
            FunctionDescriptor.of(C_INT, C_POINTER, C_LONG));
    private static final MethodHandle FREE = LIBRARY.downcall("cudaFree",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle MEMCPY = LIBRARY.downcall("cudaMemcpy",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_LONG, C_INT));
    private static final MethodHandle MEMCPY_ASYNC = LIBRARY.downcall("cudaMemcpyAsync",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_LONG, C_INT, C_POINTER));
    private static final MethodHandle MEMSET_ASYNC = LIBRARY.downcall("cudaMemsetAsync",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_LONG, C_POINTER));
    private static final MethodHandle MEM_GET_INFO = LIBRARY.downcall("cudaMemGetInfo",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle MALLOC_ASYNC = LIBRARY.downcall("cudaMallocAsync",
            FunctionDescriptor.of(C_INT, C_POINTER, C_LONG, C_POINTER));
    private static final MethodHandle FREE_ASYNC = LIBRARY.downcall("cudaFreeAsync",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle DEVICE_GET_DEFAULT_MEM_POOL = LIBRARY.downcall("cudaDeviceGetDefaultMemPool",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
    private static final MethodHandle MEM_POOL_SET_ATTRIBUTE = LIBRARY.downcall("cudaMemPoolSetAttribute",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER));
    private static final MethodHandle MEM_POOL_GET_ATTRIBUTE = LIBRARY.downcall("cudaMemPoolGetAttribute",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER));
    private static final MethodHandle MEM_POOL_TRIM_TO = LIBRARY.downcall("cudaMemPoolTrimTo",
            FunctionDescriptor.of(C_INT, C_POINTER, C_LONG));
    private static final MethodHandle MALLOC_HOST = LIBRARY.downcall("cudaMallocHost",
            FunctionDescriptor.of(C_INT, C_POINTER, C_LONG));
    private static final MethodHandle FREE_HOST = LIBRARY.downcall("cudaFreeHost",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle STREAM_WAIT_EVENT = LIBRARY.downcall("cudaStreamWaitEvent",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT));
    private static final MethodHandle EVENT_CREATE_WITH_FLAGS = LIBRARY.downcall("cudaEventCreateWithFlags",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
    private static final MethodHandle EVENT_DESTROY = LIBRARY.downcall("cudaEventDestroy",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle EVENT_RECORD = LIBRARY.downcall("cudaEventRecord",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle EVENT_SYNCHRONIZE = LIBRARY.downcall("cudaEventSynchronize",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle STREAM_CREATE = LIBRARY.downcall("cudaStreamCreate",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle STREAM_DESTROY = LIBRARY.downcall("cudaStreamDestroy",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle STREAM_SYNCHRONIZE = LIBRARY.downcall("cudaStreamSynchronize",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle GET_ERROR_STRING = LIBRARY.downcall("cudaGetErrorString",
            FunctionDescriptor.of(C_POINTER, C_INT), CRITICAL);
    private static final MethodHandle GET_ERROR_NAME = LIBRARY.downcall("cudaGetErrorName",
            FunctionDescriptor.of(C_POINTER, C_INT), CRITICAL);
    private static final MethodHandle GET_LAST_ERROR = LIBRARY.downcall("cudaGetLastError",
            FunctionDescriptor.of(C_INT), CRITICAL);
    private static final MethodHandle RUNTIME_GET_VERSION = LIBRARY.downcall("cudaRuntimeGetVersion",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle DRIVER_GET_VERSION = LIBRARY.downcall("cudaDriverGetVersion",
            FunctionDescriptor.of(C_INT, C_POINTER));

    private CudaRuntime() {
    }

    static int cudaGetDeviceCount(MemorySegment count) {
        return Native.call(() -> (int) GET_DEVICE_COUNT.invokeExact(count));
    }

    static int cudaGetDevice(MemorySegment device) {
        return Native.call(() -> (int) GET_DEVICE.invokeExact(device));
    }

    static int cudaSetDevice(int device) {
        return Native.call(() -> (int) SET_DEVICE.invokeExact(device));
    }

    static int cudaDeviceGetAttribute(MemorySegment value, int attr, int device) {
        return Native.call(() -> (int) DEVICE_GET_ATTRIBUTE.invokeExact(value, attr, device));
    }

    static int cudaMalloc(MemorySegment devPtr, long size) {
        return Native.call(() -> (int) MALLOC.invokeExact(devPtr, size));
    }

    static int cudaFree(MemorySegment devPtr) {
        return Native.call(() -> (int) FREE.invokeExact(devPtr));
    }

    static int cudaMemcpy(MemorySegment dst, MemorySegment src, long count, int kind) {
        return Native.call(() -> (int) MEMCPY.invokeExact(dst, src, count, kind));
    }

    static int cudaMemcpyAsync(MemorySegment dst, MemorySegment src, long count, int kind, MemorySegment stream) {
        return Native.call(() -> (int) MEMCPY_ASYNC.invokeExact(dst, src, count, kind, stream));
    }

    static int cudaMemsetAsync(MemorySegment devPtr, int value, long count, MemorySegment stream) {
        return Native.call(() -> (int) MEMSET_ASYNC.invokeExact(devPtr, value, count, stream));
    }

    static int cudaMemGetInfo(MemorySegment free, MemorySegment total) {
        return Native.call(() -> (int) MEM_GET_INFO.invokeExact(free, total));
    }

    static int cudaMallocAsync(MemorySegment devPtr, long size, MemorySegment stream) {
        return Native.call(() -> (int) MALLOC_ASYNC.invokeExact(devPtr, size, stream));
    }

    static int cudaFreeAsync(MemorySegment devPtr, MemorySegment stream) {
        return Native.call(() -> (int) FREE_ASYNC.invokeExact(devPtr, stream));
    }

    static int cudaDeviceGetDefaultMemPool(MemorySegment memPool, int device) {
        return Native.call(() -> (int) DEVICE_GET_DEFAULT_MEM_POOL.invokeExact(memPool, device));
    }

    static int cudaMemPoolSetAttribute(MemorySegment memPool, int attr, MemorySegment value) {
        return Native.call(() -> (int) MEM_POOL_SET_ATTRIBUTE.invokeExact(memPool, attr, value));
    }

    static int cudaMemPoolGetAttribute(MemorySegment memPool, int attr, MemorySegment value) {
        return Native.call(() -> (int) MEM_POOL_GET_ATTRIBUTE.invokeExact(memPool, attr, value));
    }

    static int cudaMemPoolTrimTo(MemorySegment memPool, long minBytesToKeep) {
        return Native.call(() -> (int) MEM_POOL_TRIM_TO.invokeExact(memPool, minBytesToKeep));
    }

    static int cudaMallocHost(MemorySegment ptr, long size) {
        return Native.call(() -> (int) MALLOC_HOST.invokeExact(ptr, size));
    }

    static int cudaFreeHost(MemorySegment ptr) {
        return Native.call(() -> (int) FREE_HOST.invokeExact(ptr));
    }

    static int cudaStreamWaitEvent(MemorySegment stream, MemorySegment event, int flags) {
        return Native.call(() -> (int) STREAM_WAIT_EVENT.invokeExact(stream, event, flags));
    }

    static int cudaEventCreateWithFlags(MemorySegment event, int flags) {
        return Native.call(() -> (int) EVENT_CREATE_WITH_FLAGS.invokeExact(event, flags));
    }

    static int cudaEventDestroy(MemorySegment event) {
        return Native.call(() -> (int) EVENT_DESTROY.invokeExact(event));
    }

    static int cudaEventRecord(MemorySegment event, MemorySegment stream) {
        return Native.call(() -> (int) EVENT_RECORD.invokeExact(event, stream));
    }

    static int cudaEventSynchronize(MemorySegment event) {
        return Native.call(() -> (int) EVENT_SYNCHRONIZE.invokeExact(event));
    }

    static int cudaStreamCreate(MemorySegment stream) {
        return Native.call(() -> (int) STREAM_CREATE.invokeExact(stream));
    }

    static int cudaStreamDestroy(MemorySegment stream) {
        return Native.call(() -> (int) STREAM_DESTROY.invokeExact(stream));
    }

    static int cudaStreamSynchronize(MemorySegment stream) {
        return Native.call(() -> (int) STREAM_SYNCHRONIZE.invokeExact(stream));
    }

    static MemorySegment cudaGetErrorString(int error) {
        return Native.call(() -> (MemorySegment) GET_ERROR_STRING.invokeExact(error));
    }

    static MemorySegment cudaGetErrorName(int error) {
        return Native.call(() -> (MemorySegment) GET_ERROR_NAME.invokeExact(error));
    }

    static int cudaGetLastError() {
        return Native.call(() -> (int) GET_LAST_ERROR.invokeExact());
    }

    static int cudaRuntimeGetVersion(MemorySegment version) {
        return Native.call(() -> (int) RUNTIME_GET_VERSION.invokeExact(version));
    }

    static int cudaDriverGetVersion(MemorySegment version) {
        return Native.call(() -> (int) DRIVER_GET_VERSION.invokeExact(version));
    }

    /** {@code "cudaErrorMemoryAllocation (2): out of memory"} for a status. */
    static String describe(int status) {
        String name = Native.cString(cudaGetErrorName(status));
        String text = Native.cString(cudaGetErrorString(status));
        return (name == null ? "cudaError" : name) + " (" + status + ")" + (text == null ? "" : ": " + text);
    }

    /**
     * Throws unless {@code status} is cudaSuccess: {@link DeviceOutOfMemoryException} for
     * cudaErrorMemoryAllocation (with {@code bytes} as the request), else {@link BackendException}.
     * The message is {@code "<call> failed: <name> (<code>): <text>"}.
     */
    static void check(int status, String call, long bytes) {
        if (status != CUDA_SUCCESS) {
            cudaGetLastError(); // clears the (non-sticky) error so later calls do not report it again
            throw Native.failure(call, describe(status), status == CUDA_ERROR_MEMORY_ALLOCATION, bytes);
        }
    }

    /** {@link #check(int, String, long)} for calls that allocate nothing. */
    static void check(int status, String call) {
        check(status, call, 0);
    }
}
