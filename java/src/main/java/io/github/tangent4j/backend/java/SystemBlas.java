package io.github.tangent4j.backend.java;

import io.github.tangent4j.backend.internal.Downcalls;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Optional;

/**
 * A system CBLAS bound through the Foreign Function & Memory API: {@code cblas_sgemm} and
 * {@code cblas_dgemm} (row-major) of OpenBLAS, BLIS, Intel MKL or the OpenBLAS that NumPy and SciPy wheels
 * bundle, and the library's own thread-count setter, so that its threads are as many as the Java
 * backend's ({@link ComputePool#THREADS}) and nothing oversubscribes the cores.
 *
 * <p>The wheels' OpenBLAS renames its symbols ({@code scipy_cblas_dgemm}, and with 64-bit integers
 * {@code scipy_cblas_dgemm64_}); the {@link Naming}s list the spellings tried, in order. The GEMM threads
 * itself ({@link #threadsItself()}), so the Java backend calls it once per product.
 *
 * @param kind       the library's family: {@code OpenBLAS}, {@code Intel MKL}, {@code BLIS} or {@code CBLAS}
 * @param provider   the library's name and build, e.g.
 *                   {@code OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64}
 * @param file       the file the library was loaded from (or its soname, when the system loader found it)
 * @param sgemmCall  {@code cblas_sgemm} (integer arguments widened to long)
 * @param dgemmCall  {@code cblas_dgemm} (integer arguments widened to long)
 * @param threadsGet the library's thread-count getter, or {@code null} when it has none
 * @param dpotrf     LAPACK's {@code dpotrf} (Fortran interface, pointer arguments, 32-bit integers), or
 *                   {@code null} when the library has none under the GEMMs' naming or its integers are 64-bit
 */
record SystemBlas(String kind, String provider, String file, MethodHandle sgemmCall, MethodHandle dgemmCall,
        MethodHandle threadsGet, MethodHandle dpotrf) implements GemmKernel {
    private static final Linker LINKER = Linker.nativeLinker();
    /** CBLAS's enum values: {@code CblasRowMajor}, {@code CblasNoTrans}, {@code CblasTrans}. */
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;

    /**
     * One spelling of the CBLAS symbols: {@code prefix + "cblas_dgemm" + suffix}, with 64-bit integer
     * arguments when {@code ilp64}.
     */
    record Naming(String prefix, String suffix, boolean ilp64) {
        String of(String symbol) {
            return prefix + symbol + suffix;
        }
    }

    /** The spellings tried, in order: plain LP64, SciPy's wheels LP64, SciPy's ILP64, OpenBLAS's ILP64. */
    static final List<Naming> NAMINGS = List.of(new Naming("", "", false), new Naming("scipy_", "", false),
            new Naming("scipy_", "64_", true), new Naming("", "64_", true));

    /**
     * Binds the GEMMs of the library {@code lookup} loaded from {@code file} and sets its thread count to
     * {@code threads}.
     *
     * @throws IllegalArgumentException naming the file and the symbols looked for, when it has no
     *                                  {@code cblas_sgemm} and {@code cblas_dgemm} in any {@link #NAMINGS}
     */
    static SystemBlas bind(SymbolLookup lookup, String file, int threads) {
        for (Naming naming : NAMINGS) {
            Optional<MemorySegment> s = lookup.find(naming.of("cblas_sgemm"));
            Optional<MemorySegment> d = lookup.find(naming.of("cblas_dgemm"));
            if (s.isPresent() && d.isPresent()) {
                Threads t = Threads.find(lookup, naming);
                t.set(threads);
                return new SystemBlas(t.kind(), t.provider(lookup, naming), BlasLocator.fileAt(d.get(), file), gemm(s.get(), naming.ilp64(), ValueLayout.JAVA_FLOAT),
                        gemm(d.get(), naming.ilp64(), ValueLayout.JAVA_DOUBLE), t.get, potrf(lookup, naming));
            }
        }
        throw new IllegalArgumentException(file + " lacks the symbols cblas_sgemm and cblas_dgemm (looked for "
                + String.join(", ", NAMINGS.stream().map(n -> n.of("cblas_dgemm")).toList()) + ")");
    }

    /** A downcall to {@code dpotrf_} under {@code naming}, where the library has it with 32-bit integers. */
    private static MethodHandle potrf(SymbolLookup lookup, Naming naming) {
        if (naming.ilp64()) {
            return null;
        }
        MemoryLayout p = ValueLayout.ADDRESS;
        return lookup.find(naming.of("dpotrf_")).map(a -> LINKER.downcallHandle(a, FunctionDescriptor.ofVoid(p, p, p,
                p, p))).orElse(null);
    }

    /**
     * A downcall to {@code cblas_?gemm} at {@code address}, adapted to take its integers as {@code long}
     * whatever their width in the library.
     */
    private static MethodHandle gemm(MemorySegment address, boolean ilp64, ValueLayout scalar) {
        MemoryLayout n = ilp64 ? ValueLayout.JAVA_LONG : ValueLayout.JAVA_INT;
        MemoryLayout e = ValueLayout.JAVA_INT;
        MemoryLayout p = ValueLayout.ADDRESS;
        MethodHandle h = LINKER.downcallHandle(address, FunctionDescriptor.ofVoid(e, e, e, n, n, n, scalar, p, n, p, n,
                scalar, p, n));
        Class<?> s = scalar.carrier();
        Class<?> l = long.class;
        Class<?> ms = MemorySegment.class;
        return MethodHandles.explicitCastArguments(h, MethodType.methodType(void.class, int.class, int.class, int.class,
                l, l, l, s, ms, l, ms, l, s, ms, l));
    }

    /** The library's thread-count setter and getter under the names OpenBLAS, MKL and BLIS give them. */
    private record Threads(String kind, MethodHandle set, MethodHandle get) {
        static Threads find(SymbolLookup lookup, Naming naming) {
            Threads t = of(lookup, "OpenBLAS", naming.of("openblas_set_num_threads"),
                    naming.of("openblas_get_num_threads"), ValueLayout.JAVA_INT);
            if (t == null) {
                t = of(lookup, "Intel MKL", "MKL_Set_Num_Threads", "MKL_Get_Max_Threads", ValueLayout.JAVA_INT);
            }
            if (t == null) {
                t = of(lookup, "BLIS", "bli_thread_set_num_threads", "bli_thread_get_num_threads", ValueLayout.JAVA_LONG);
            }
            return t != null ? t : new Threads("CBLAS", null, null);
        }

        private static Threads of(SymbolLookup lookup, String kind, String setter, String getter, ValueLayout n) {
            Optional<MemorySegment> set = lookup.find(setter);
            if (set.isEmpty()) {
                return null;
            }
            MethodHandle s = LINKER.downcallHandle(set.get(), FunctionDescriptor.ofVoid(n));
            s = MethodHandles.explicitCastArguments(s, MethodType.methodType(void.class, long.class));
            MethodHandle g = lookup.find(getter).map(a -> MethodHandles.explicitCastArguments(
                    LINKER.downcallHandle(a, FunctionDescriptor.of(n)), MethodType.methodType(long.class))).orElse(null);
            return new Threads(kind, s, g);
        }

        void set(int threads) {
            if (set == null) {
                return;
            }
            try {
                set.invokeExact((long) threads);
            } catch (Throwable e) {
                throw new IllegalStateException("setting the BLAS thread count failed", e);
            }
        }

        /** The provider's name: OpenBLAS with its build configuration (version, kernel), or the kind. */
        String provider(SymbolLookup lookup, Naming naming) {
            if (!kind.equals("OpenBLAS")) {
                return kind;
            }
            return lookup.find(naming.of("openblas_get_config")).map(a -> {
                try {
                    MemorySegment text = (MemorySegment) LINKER.downcallHandle(a, FunctionDescriptor.of(
                            ValueLayout.ADDRESS)).invokeExact();
                    String config = text.reinterpret(256).getString(0).trim();
                    return config.startsWith("OpenBLAS") ? config : "OpenBLAS " + config;
                } catch (Throwable e) {
                    return kind;
                }
            }).orElse(kind);
        }
    }

    /** The library's own thread count, or -1 when it has no getter. */
    int threads() {
        if (threadsGet == null) {
            return -1;
        }
        try {
            return (int) (long) threadsGet.invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException("reading the BLAS thread count failed", e);
        }
    }

    @Override
    public String name() {
        return provider + " (" + file + ")";
    }

    @Override
    public boolean threadsItself() {
        return true;
    }

    /** Whether the BLAS can read these segments: it needs native memory (a Java array has no fixed address). */
    static boolean accepts(MemorySegment a, MemorySegment b, MemorySegment c) {
        return a.isNative() && b.isNative() && c.isNative();
    }

    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha, MemorySegment a, long aOff,
            long lda, MemorySegment b, long bOff, long ldb, double beta, MemorySegment c, long cOff, long ldc) {
        try {
            dgemmCall.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, (long) m, (long) n,
                    (long) k, alpha, a.asSlice(aOff * 8), lda, b.asSlice(bOff * 8), ldb, beta, c.asSlice(cOff * 8), ldc);
        } catch (Throwable e) {
            throw Downcalls.rethrow(e, "the BLAS call");
        }
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, long aOff,
            long lda, MemorySegment b, long bOff, long ldb, float beta, MemorySegment c, long cOff, long ldc) {
        try {
            sgemmCall.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, (long) m, (long) n,
                    (long) k, alpha, a.asSlice(aOff * 4), lda, b.asSlice(bOff * 4), ldb, beta, c.asSlice(cOff * 4), ldc);
        } catch (Throwable e) {
            throw Downcalls.rethrow(e, "the BLAS call");
        }
    }
}
