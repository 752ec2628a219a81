package io.github.tangent4j.backend.cuda;

import static io.github.tangent4j.backend.cuda.Native.C_INT;
import static io.github.tangent4j.backend.cuda.Native.C_POINTER;

import io.github.tangent4j.backend.BackendException;
import io.github.tangent4j.backend.DeviceOutOfMemoryException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Bindings of the CUDA driver API subset in {@code include/cuda_driver_subset.h} (libcuda.so.1).
 * Each method is the C function of the same name (the versioned symbol where cuda.h maps a name to
 * one), returning its {@code CUresult}; {@link #check} turns a result into an exception.
 */
final class CudaDriver {
    static final int CUDA_SUCCESS = 0;
    static final int CUDA_ERROR_OUT_OF_MEMORY = 2;
    static final int ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
    static final int ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;

    /** The library, found once per process. */
    static final NativeLibrary LIBRARY = NativeLibrary.load("libcuda", "libcuda.so.1");

    private static final MethodHandle INIT = LIBRARY.downcall("cuInit", FunctionDescriptor.of(C_INT, C_INT));
    private static final MethodHandle DEVICE_GET = LIBRARY.downcall("cuDeviceGet",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
    private static final MethodHandle DEVICE_GET_NAME = LIBRARY.downcall("cuDeviceGetName",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT));
    private static final MethodHandle DEVICE_GET_ATTRIBUTE = LIBRARY.downcall("cuDeviceGetAttribute",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT));
    private static final MethodHandle PRIMARY_CTX_RETAIN = LIBRARY.downcall("cuDevicePrimaryCtxRetain",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
    private static final MethodHandle PRIMARY_CTX_RELEASE = LIBRARY.downcall("cuDevicePrimaryCtxRelease_v2",
            FunctionDescriptor.of(C_INT, C_INT));
    private static final MethodHandle CTX_SET_CURRENT = LIBRARY.downcall("cuCtxSetCurrent",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle MODULE_LOAD_DATA = LIBRARY.downcall("cuModuleLoadData",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle MODULE_UNLOAD = LIBRARY.downcall("cuModuleUnload",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle MODULE_GET_FUNCTION = LIBRARY.downcall("cuModuleGetFunction",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER));
    private static final MethodHandle LAUNCH_KERNEL = LIBRARY.downcall("cuLaunchKernel",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_POINTER,
                    C_POINTER, C_POINTER));
    private static final MethodHandle GET_ERROR_STRING = LIBRARY.downcall("cuGetErrorString",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER), Linker.Option.critical(false));
    private static final MethodHandle GET_ERROR_NAME = LIBRARY.downcall("cuGetErrorName",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER), Linker.Option.critical(false));

    private CudaDriver() {
    }

    static int cuInit(int flags) {
        return Native.call(() -> (int) INIT.invokeExact(flags));
    }

    static int cuDeviceGet(MemorySegment device, int ordinal) {
        return Native.call(() -> (int) DEVICE_GET.invokeExact(device, ordinal));
    }

    static int cuDeviceGetName(MemorySegment name, int len, int device) {
        return Native.call(() -> (int) DEVICE_GET_NAME.invokeExact(name, len, device));
    }

    static int cuDeviceGetAttribute(MemorySegment value, int attribute, int device) {
        return Native.call(() -> (int) DEVICE_GET_ATTRIBUTE.invokeExact(value, attribute, device));
    }

    static int cuDevicePrimaryCtxRetain(MemorySegment context, int device) {
        return Native.call(() -> (int) PRIMARY_CTX_RETAIN.invokeExact(context, device));
    }

    static int cuDevicePrimaryCtxRelease(int device) {
        return Native.call(() -> (int) PRIMARY_CTX_RELEASE.invokeExact(device));
    }

    static int cuCtxSetCurrent(MemorySegment context) {
        return Native.call(() -> (int) CTX_SET_CURRENT.invokeExact(context));
    }

    static int cuModuleLoadData(MemorySegment module, MemorySegment image) {
        return Native.call(() -> (int) MODULE_LOAD_DATA.invokeExact(module, image));
    }

    static int cuModuleUnload(MemorySegment module) {
        return Native.call(() -> (int) MODULE_UNLOAD.invokeExact(module));
    }

    static int cuModuleGetFunction(MemorySegment function, MemorySegment module, MemorySegment name) {
        return Native.call(() -> (int) MODULE_GET_FUNCTION.invokeExact(function, module, name));
    }

    static int cuLaunchKernel(MemorySegment function, int gridX, int gridY, int gridZ, int blockX, int blockY,
            int blockZ, int sharedMemBytes, MemorySegment stream, MemorySegment kernelParams, MemorySegment extra) {
        return Native.call(() -> (int) LAUNCH_KERNEL.invokeExact(function, gridX, gridY, gridZ, blockX, blockY,
                blockZ, sharedMemBytes, stream, kernelParams, extra));
    }

    static int cuGetErrorString(int error, MemorySegment string) {
        return Native.call(() -> (int) GET_ERROR_STRING.invokeExact(error, string));
    }

    static int cuGetErrorName(int error, MemorySegment string) {
        return Native.call(() -> (int) GET_ERROR_NAME.invokeExact(error, string));
    }

    /** {@code "CUDA_ERROR_LAUNCH_FAILED (719): unspecified launch failure"} for a result. */
    static String describe(int result) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocate(C_POINTER);
            String name = cuGetErrorName(result, p) == CUDA_SUCCESS ? Native.cString(p.get(C_POINTER, 0)) : null;
            String text = cuGetErrorString(result, p) == CUDA_SUCCESS ? Native.cString(p.get(C_POINTER, 0)) : null;
            return (name == null ? "CUresult" : name) + " (" + result + ")" + (text == null ? "" : ": " + text);
        }
    }

    /**
     * Throws unless {@code result} is CUDA_SUCCESS: {@link DeviceOutOfMemoryException} for
     * CUDA_ERROR_OUT_OF_MEMORY, else {@link BackendException} {@code "<call> failed: <name> (<code>): <text>"}.
     */
    static void check(int result, String call) {
        if (result != CUDA_SUCCESS) {
            throw Native.failure(call, describe(result), result == CUDA_ERROR_OUT_OF_MEMORY, 0);
        }
    }
}
