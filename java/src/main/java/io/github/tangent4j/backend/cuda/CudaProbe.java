package io.github.tangent4j.backend.cuda;

import static io.github.tangent4j.backend.cuda.Native.C_INT;

import io.github.tangent4j.backend.BackendException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether CUDA can run here and, if not, says exactly why: which of the four libraries is
 * missing (and where it was looked for), and whether a device answers. cudaErrorInsufficientDriver
 * (35) and cudaErrorNoDevice (100) mean "no GPU".
 */
final class CudaProbe {
    private CudaProbe() {
    }

    /** The four libraries, in the order they are reported. */
    private static List<NativeLibrary> libraries() {
        return List.of(CudaRuntime.LIBRARY, CudaDriver.LIBRARY, Nvrtc.LIBRARY, Cublas.LIBRARY);
    }

    /** Throws {@link BackendException} naming every missing library or symbol. */
    static void requireLibraries() {
        List<String> problems = libraryProblems();
        if (!problems.isEmpty()) {
            throw new BackendException(String.join("; ", problems));
        }
    }

    /**
     * The libraries' problems: the ones not found in one line with the places searched (the same for
     * all), then unloadable files and missing symbols.
     */
    static List<String> libraryProblems() {
        List<String> missing = new ArrayList<>();
        String searched = null;
        List<String> other = new ArrayList<>();
        for (NativeLibrary lib : libraries()) {
            if (lib.missing() != null) {
                missing.add(lib.missing());
                searched = lib.searched();
            }
            other.addAll(lib.otherProblems());
        }
        List<String> problems = new ArrayList<>();
        if (!missing.isEmpty()) {
            problems.add(String.join(", ", missing) + " not found (searched " + searched + ")");
        }
        problems.addAll(other);
        return problems;
    }

    /**
     * Every reason CUDA cannot run here (empty if it can): first whether a device answers (when
     * libcudart loaded), then the libraries' problems.
     */
    static List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (CudaRuntime.LIBRARY.isAvailable()) {
            String device = deviceProblem();
            if (device != null) {
                problems.add(device);
            }
        }
        problems.addAll(libraryProblems());
        return problems;
    }

    /** Null when at least one device answers, else why not. */
    private static String deviceProblem() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(C_INT);
            int status = CudaRuntime.cudaGetDeviceCount(count);
            if (status == CudaRuntime.CUDA_ERROR_INSUFFICIENT_DRIVER || status == CudaRuntime.CUDA_ERROR_NO_DEVICE) {
                CudaRuntime.cudaGetLastError();
                return "no GPU: cudaGetDeviceCount returned " + CudaRuntime.describe(status)
                        + " (libcudart: " + CudaRuntime.LIBRARY.location() + ")";
            }
            if (status != CudaRuntime.CUDA_SUCCESS) {
                CudaRuntime.cudaGetLastError();
                return "cudaGetDeviceCount failed: " + CudaRuntime.describe(status);
            }
            if (count.get(C_INT, 0) < 1) {
                return "no GPU: cudaGetDeviceCount found 0 devices";
            }
            return null;
        }
    }

    /**
     * A backend if everything is in place, else {@link BackendException} listing every problem.
     * Creating the backend also creates its cuBLAS handle, which is the last check.
     */
    static CudaBackend create() {
        List<String> problems = problems();
        if (!problems.isEmpty()) {
            throw new BackendException(String.join("; ", problems));
        }
        return new CudaBackend();
    }
}
