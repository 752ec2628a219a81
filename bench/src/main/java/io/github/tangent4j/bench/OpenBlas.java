package io.github.tangent4j.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The benchmark peer: OpenBLAS's CBLAS GEMM ({@code cblas_dgemm}/{@code cblas_sgemm}) through FFM, from
 * Debian's {@code libopenblas0-pthread}. {@link #load()} is empty when the library is absent.
 */
final class OpenBlas {
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;
    private static final List<String> CANDIDATES = List.of(
            "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0", "libopenblas.so.0");

    private final MethodHandle dgemm;
    private final MethodHandle sgemm;
    private final MethodHandle setThreads;
    private final MethodHandle coreName;

    private OpenBlas(SymbolLookup lib) {
        Linker linker = Linker.nativeLinker();
        ValueLayout i = ValueLayout.JAVA_INT;
        ValueLayout p = ValueLayout.ADDRESS;
        dgemm = linker.downcallHandle(lib.find("cblas_dgemm").orElseThrow(), FunctionDescriptor.ofVoid(i, i, i, i, i, i,
                ValueLayout.JAVA_DOUBLE, p, i, p, i, ValueLayout.JAVA_DOUBLE, p, i));
        sgemm = linker.downcallHandle(lib.find("cblas_sgemm").orElseThrow(), FunctionDescriptor.ofVoid(i, i, i, i, i, i,
                ValueLayout.JAVA_FLOAT, p, i, p, i, ValueLayout.JAVA_FLOAT, p, i));
        setThreads = linker.downcallHandle(lib.find("openblas_set_num_threads").orElseThrow(), FunctionDescriptor.ofVoid(i));
        coreName = linker.downcallHandle(lib.find("openblas_get_corename").orElseThrow(), FunctionDescriptor.of(p));
    }

    /** OpenBLAS if one of the known library names loads. */
    static Optional<OpenBlas> load() {
        for (String name : CANDIDATES) {
            try {
                if (name.startsWith("/") && !Files.exists(Path.of(name))) {
                    continue;
                }
                SymbolLookup lib = name.startsWith("/") ? SymbolLookup.libraryLookup(Path.of(name), Arena.global())
                        : SymbolLookup.libraryLookup(name, Arena.global());
                return Optional.of(new OpenBlas(lib));
            } catch (IllegalArgumentException | java.util.NoSuchElementException e) {
                // try the next name
            }
        }
        return Optional.empty();
    }

    void threads(int n) throws Throwable {
        setThreads.invokeExact(n);
    }

    /** The kernel OpenBLAS chose for this CPU, e.g. SkylakeX or Haswell. */
    String coreName() throws Throwable {
        MemorySegment s = (MemorySegment) coreName.invokeExact();
        return s.reinterpret(64).getString(0);
    }

    void dgemm(boolean ta, boolean tb, int m, int n, int k, double alpha, MemorySegment a, int lda, MemorySegment b,
            int ldb, double beta, MemorySegment c, int ldc) throws Throwable {
        dgemm.invokeExact(ROW_MAJOR, ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, m, n, k, alpha, a, lda, b, ldb, beta,
                c, ldc);
    }

    void sgemm(boolean ta, boolean tb, int m, int n, int k, float alpha, MemorySegment a, int lda, MemorySegment b,
            int ldb, float beta, MemorySegment c, int ldc) throws Throwable {
        sgemm.invokeExact(ROW_MAJOR, ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, m, n, k, alpha, a, lda, b, ldb, beta,
                c, ldc);
    }
}
