package io.github.tangent4j.backend.cuda;

import static io.github.tangent4j.backend.cuda.Native.C_INT;
import static io.github.tangent4j.backend.cuda.Native.C_LONG;
import static io.github.tangent4j.backend.cuda.Native.C_POINTER;

import io.github.tangent4j.backend.BackendException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiles the project's kernel source (shipped in the jar) to PTX with NVRTC for a device's
 * compute capability, once per process and architecture. Compiling at run time, rather than
 * shipping PTX from one nvcc, lets one jar serve CUDA 12 and 13 drivers.
 */
final class KernelCompiler {
    /** Resource holding the kernel source. */
    static final String SOURCE = "io/github/tangent4j/backend/cuda/kernels/tangent4j_kernels.cu";

    private static final Map<String, byte[]> PTX = new ConcurrentHashMap<>();

    private KernelCompiler() {
    }

    /** NUL-terminated PTX of the kernels for compute capability {@code major.minor}, cached. */
    static byte[] ptx(int major, int minor) {
        String arch = "compute_" + major + minor;
        byte[] cached = PTX.get(arch);
        if (cached != null) {
            return cached;
        }
        synchronized (KernelCompiler.class) {
            return PTX.computeIfAbsent(arch, a -> compile(source(), "tangent4j_kernels.cu",
                    List.of("--gpu-architecture=" + a, "--std=c++17")));
        }
    }

    /**
     * The kernel source from the jar. Read through {@link Class#getResourceAsStream} with an absolute name, which
     * finds the module's own resources on the module path (a class loader's lookup does not see an encapsulated
     * package's resources there) as well as on the class path.
     */
    static String source() {
        try (InputStream in = KernelCompiler.class.getResourceAsStream("/" + SOURCE)) {
            if (in == null) {
                throw new BackendException("kernel source " + SOURCE + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BackendException("cannot read kernel source " + SOURCE + ": " + e, e);
        }
    }

    /**
     * Compiles {@code source} with NVRTC and returns its NUL-terminated PTX (not cached).
     *
     * @throws BackendException naming the NVRTC call, its result and the compiler log
     */
    static byte[] compile(String source, String name, List<String> options) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment progOut = arena.allocate(C_POINTER);
            Nvrtc.check(Nvrtc.nvrtcCreateProgram(progOut, arena.allocateFrom(source), arena.allocateFrom(name), 0,
                    MemorySegment.NULL, MemorySegment.NULL), "nvrtcCreateProgram");
            MemorySegment prog = progOut.get(C_POINTER, 0);
            try {
                MemorySegment opts = arena.allocate(C_POINTER, Math.max(1, options.size()));
                for (int i = 0; i < options.size(); i++) {
                    opts.setAtIndex(C_POINTER, i, arena.allocateFrom(options.get(i)));
                }
                int result = Nvrtc.nvrtcCompileProgram(prog, options.size(), opts);
                if (result != Nvrtc.NVRTC_SUCCESS) {
                    throw new BackendException("nvrtcCompileProgram(" + name + ", " + String.join(" ", options)
                            + ") failed: " + Nvrtc.describe(result) + "; log: " + log(arena, prog));
                }
                MemorySegment size = arena.allocate(C_LONG);
                Nvrtc.check(Nvrtc.nvrtcGetPTXSize(prog, size), "nvrtcGetPTXSize");
                long n = size.get(C_LONG, 0);
                if (n <= 0 || n > Integer.MAX_VALUE) {
                    throw new BackendException("nvrtcGetPTXSize returned " + n + " bytes");
                }
                MemorySegment ptx = arena.allocate(n);
                Nvrtc.check(Nvrtc.nvrtcGetPTX(prog, ptx), "nvrtcGetPTX");
                byte[] bytes = ptx.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                bytes[bytes.length - 1] = 0; // cuModuleLoadData reads PTX up to the NUL
                return bytes;
            } finally {
                Nvrtc.nvrtcDestroyProgram(progOut); // failure to destroy cannot be acted on
            }
        }
    }

    private static String log(Arena arena, MemorySegment prog) {
        MemorySegment size = arena.allocate(C_LONG);
        if (Nvrtc.nvrtcGetProgramLogSize(prog, size) != Nvrtc.NVRTC_SUCCESS || size.get(C_LONG, 0) <= 1) {
            return "(empty)";
        }
        MemorySegment log = arena.allocate(size.get(C_LONG, 0));
        if (Nvrtc.nvrtcGetProgramLog(prog, log) != Nvrtc.NVRTC_SUCCESS) {
            return "(unavailable)";
        }
        return log.getString(0).strip();
    }

    /** Used by the version line: {@code "12.4"}. */
    static String version() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment major = arena.allocate(C_INT);
            MemorySegment minor = arena.allocate(C_INT);
            Nvrtc.check(Nvrtc.nvrtcVersion(major, minor), "nvrtcVersion");
            return major.get(C_INT, 0) + "." + minor.get(C_INT, 0);
        }
    }
}
