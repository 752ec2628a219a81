package io.github.tangent4j.backend.cuda;

import static io.github.tangent4j.backend.cuda.Native.C_INT;
import static io.github.tangent4j.backend.cuda.Native.C_POINTER;

import io.github.tangent4j.backend.BackendException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Bindings of the NVRTC subset in {@code include/nvrtc_subset.h} (libnvrtc.so.13 or .12). Each
 * method is the C function of the same name, returning its {@code nvrtcResult}.
 */
final class Nvrtc {
    static final int NVRTC_SUCCESS = 0;

    /** The library, found once per process. */
    static final NativeLibrary LIBRARY = NativeLibrary.load("libnvrtc", "libnvrtc.so.13", "libnvrtc.so.12");

    private static final MethodHandle GET_ERROR_STRING = LIBRARY.downcall("nvrtcGetErrorString",
            FunctionDescriptor.of(C_POINTER, C_INT), Linker.Option.critical(false));
    private static final MethodHandle VERSION = LIBRARY.downcall("nvrtcVersion",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle CREATE_PROGRAM = LIBRARY.downcall("nvrtcCreateProgram",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle DESTROY_PROGRAM = LIBRARY.downcall("nvrtcDestroyProgram",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle COMPILE_PROGRAM = LIBRARY.downcall("nvrtcCompileProgram",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER));
    private static final MethodHandle GET_PTX_SIZE = LIBRARY.downcall("nvrtcGetPTXSize",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle GET_PTX = LIBRARY.downcall("nvrtcGetPTX",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle GET_CUBIN_SIZE = LIBRARY.downcall("nvrtcGetCUBINSize",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle GET_CUBIN = LIBRARY.downcall("nvrtcGetCUBIN",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle GET_PROGRAM_LOG_SIZE = LIBRARY.downcall("nvrtcGetProgramLogSize",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle GET_PROGRAM_LOG = LIBRARY.downcall("nvrtcGetProgramLog",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));

    private Nvrtc() {
    }

    static MemorySegment nvrtcGetErrorString(int result) {
        return Native.call(() -> (MemorySegment) GET_ERROR_STRING.invokeExact(result));
    }

    static int nvrtcVersion(MemorySegment major, MemorySegment minor) {
        return Native.call(() -> (int) VERSION.invokeExact(major, minor));
    }

    static int nvrtcCreateProgram(MemorySegment prog, MemorySegment src, MemorySegment name, int numHeaders,
            MemorySegment headers, MemorySegment includeNames) {
        return Native.call(() -> (int) CREATE_PROGRAM.invokeExact(prog, src, name, numHeaders, headers,
                includeNames));
    }

    static int nvrtcDestroyProgram(MemorySegment prog) {
        return Native.call(() -> (int) DESTROY_PROGRAM.invokeExact(prog));
    }

    static int nvrtcCompileProgram(MemorySegment prog, int numOptions, MemorySegment options) {
        return Native.call(() -> (int) COMPILE_PROGRAM.invokeExact(prog, numOptions, options));
    }

    static int nvrtcGetPTXSize(MemorySegment prog, MemorySegment size) {
        return Native.call(() -> (int) GET_PTX_SIZE.invokeExact(prog, size));
    }

    static int nvrtcGetPTX(MemorySegment prog, MemorySegment ptx) {
        return Native.call(() -> (int) GET_PTX.invokeExact(prog, ptx));
    }

    static int nvrtcGetCUBINSize(MemorySegment prog, MemorySegment size) {
        return Native.call(() -> (int) GET_CUBIN_SIZE.invokeExact(prog, size));
    }

    static int nvrtcGetCUBIN(MemorySegment prog, MemorySegment cubin) {
        return Native.call(() -> (int) GET_CUBIN.invokeExact(prog, cubin));
    }

    static int nvrtcGetProgramLogSize(MemorySegment prog, MemorySegment size) {
        return Native.call(() -> (int) GET_PROGRAM_LOG_SIZE.invokeExact(prog, size));
    }

    static int nvrtcGetProgramLog(MemorySegment prog, MemorySegment log) {
        return Native.call(() -> (int) GET_PROGRAM_LOG.invokeExact(prog, log));
    }

    /** {@code "NVRTC_ERROR_COMPILATION (6)"} for a result. */
    static String describe(int result) {
        String name = Native.cString(nvrtcGetErrorString(result));
        return (name == null ? "nvrtcResult" : name) + " (" + result + ")";
    }

    /** Throws {@link BackendException} {@code "<call> failed: <name> (<code>)"} unless NVRTC_SUCCESS. */
    static void check(int result, String call) {
        if (result != NVRTC_SUCCESS) {
            throw Native.failure(call, describe(result), false, 0);
        }
    }
}
