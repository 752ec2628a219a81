package io.github.tangent4j.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The system-BLAS GEMM provider: its products against the Vector API kernel on every shape and transpose
 * combination, views included; the fallback to the pure-Java kernel when no BLAS loads or a library lacks
 * the symbols; the thread count it is given; where it looks.
 */
class SystemBlasTest {
    /** Debian's OpenBLAS, which CI installs: when it is there the BLAS cases must run, not skip. */
    private static final Path DEBIAN_OPENBLAS = Path.of("/usr/lib/x86_64-linux-gnu/libopenblas.so.0");

    private static SystemBlas blas() {
        GemmProvider.Choice c = GemmProvider.choose("auto", BlasLocator.candidates(), ComputePool.THREADS);
        if (Files.exists(DEBIAN_OPENBLAS)) {
            assertNotNull(c.blas(), c.description());
        }
        assumeTrue(c.blas() != null, c::description);
        return c.blas();
    }

    @AfterAll
    static void restoreThreads() {
        GemmProvider.choose("auto", BlasLocator.candidates(), ComputePool.THREADS);
    }

    /**
     * One product on the BLAS and on the Vector API kernel, operands {@code off} elements into their
     * segments and rows {@code pad} elements longer than needed; every element of C (the padding too) must
     * agree, and with {@code beta == 0} a NaN in C must not survive.
     */
    private static void compare(SystemBlas blas, boolean f64, boolean ta, boolean tb, int m, int n, int k, double alpha,
            double beta, int pad, int off, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined()) {
            long lda = (ta ? m : k) + pad;
            long ldb = (tb ? k : n) + pad;
            long ldc = n + pad;
            long es = f64 ? 8 : 4;
            MemorySegment a = JavaGemmTest.random(arena, f64, off + (ta ? k : m) * lda, rng);
            MemorySegment b = JavaGemmTest.random(arena, f64, off + (tb ? n : k) * ldb, rng);
            MemorySegment c0 = JavaGemmTest.random(arena, f64, off + m * ldc, rng);
            if (beta == 0) {
                JavaGemmTest.set(c0, f64, off, Double.NaN);
            }
            MemorySegment c1 = arena.allocate(c0.byteSize(), 64).copyFrom(c0);
            MemorySegment c2 = arena.allocate(c0.byteSize(), 64).copyFrom(c0);
            // through JavaGemm on views (slices), and straight on the kernels with element offsets
            JavaGemm.gemm(blas, f64, ta, tb, m, n, k, alpha, a.asSlice(off * es), lda, b.asSlice(off * es), ldb, beta,
                    c1.asSlice(off * es), ldc);
            GemmKernel vector = new VectorKernel();
            if (f64) {
                vector.dgemm(ta, tb, m, n, k, alpha, a, off, lda, b, off, ldb, beta, c2, off, ldc);
            } else {
                vector.sgemm(ta, tb, m, n, k, (float) alpha, a, off, lda, b, off, ldb, (float) beta, c2, off, ldc);
            }
            double tol = (f64 ? 1e-13 : 3e-6) * Math.max(1, k);
            for (long i = 0; i < off + m * ldc; i++) {
                double got = JavaGemmTest.get(c1, f64, i);
                double want = JavaGemmTest.get(c2, f64, i);
                if (!(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)))) {
                    throw new AssertionError(blas.name() + (f64 ? " F64 " : " F32 ") + (ta ? "T" : "N") + (tb ? "T" : "N")
                            + " m=" + m + " n=" + n + " k=" + k + " pad=" + pad + " off=" + off + ": element " + i
                            + " = " + got + ", the Vector API kernel gives " + want);
                }
            }
        }
    }

    @Test
    void everyShapeAndTransposeAgreesWithTheVectorKernelInBothPrecisions() {
        SystemBlas blas = blas();
        int[] sizes = {1, 3, 17, 64, 257};
        long seed = 1;
        for (boolean f64 : new boolean[] {true, false}) {
            for (int t = 0; t < 4; t++) {
                for (int m : sizes) {
                    for (int n : sizes) {
                        int k = sizes[(int) (seed % sizes.length)];
                        compare(blas, f64, (t & 1) != 0, (t & 2) != 0, m, n, k, 1, 0, 0, 0, seed++);
                    }
                }
            }
        }
    }

    @Test
    void viewsLeadingDimensionsAlphaAndBeta() {
        SystemBlas blas = blas();
        long seed = 100;
        for (boolean f64 : new boolean[] {true, false}) {
            for (int t = 0; t < 4; t++) {
                compare(blas, f64, (t & 1) != 0, (t & 2) != 0, 37, 70, 300, -0.5, 2.0, 3, 5, seed++);
                compare(blas, f64, (t & 1) != 0, (t & 2) != 0, 9, 33, 5, 1.5, 1.0, 1, 1, seed++);
                compare(blas, f64, (t & 1) != 0, (t & 2) != 0, 300, 260, 520, 1, 0, 2, 7, seed++);
            }
        }
    }

    @Test
    void javaArraysFallBackToTheJavaKernel() {
        SystemBlas blas = blas();
        double[] a = {1, 2, 3, 4};
        double[] b = {5, 6, 7, 8};
        double[] c = new double[4];
        JavaGemm.gemm(blas, true, false, false, 2, 2, 2, 1, MemorySegment.ofArray(a), 2, MemorySegment.ofArray(b), 2, 0,
                MemorySegment.ofArray(c), 2);
        assertEquals(List.of(19.0, 22.0, 43.0, 50.0), List.of(c[0], c[1], c[2], c[3]));
    }

    @Test
    void batchesOfSmallGemmsRunOnTheJavaKernelLargeOnesOnTheProvider() {
        assertSame(GemmProvider.JAVA, JavaGemm.kernelForBatch(1000, 10L * 512));   // the outer products
        assertSame(JavaGemm.KERNEL, JavaGemm.kernelForBatch(1, 10L * 512));
        assertSame(JavaGemm.KERNEL, JavaGemm.kernelForBatch(4, 512L * 512 * 512));
    }

    @Test
    void noneChoosesTheJavaKernel() {
        GemmProvider.Choice c = GemmProvider.choose("none", BlasLocator.candidates(), 2);
        assertSame(GemmProvider.JAVA, c.kernel());
        assertNull(c.blas());
        assertTrue(c.description().contains("-Dtangent4j.blas=none"), c.description());
    }

    @Test
    void aMissingOrUnloadableLibraryFallsBackWithItsReason(@TempDir Path dir) throws IOException {
        GemmProvider.Choice missing = GemmProvider.choose(dir.resolve("libnothing.so").toString(), List.of(), 2);
        assertSame(GemmProvider.JAVA, missing.kernel());
        assertTrue(missing.description().contains("libnothing.so: no such file"), missing.description());

        Path notALibrary = Files.writeString(dir.resolve("libfake.so"), "not an ELF file");
        GemmProvider.Choice bad = GemmProvider.choose(notALibrary.toString(), List.of(), 2);
        assertSame(GemmProvider.JAVA, bad.kernel());
        assertTrue(bad.description().contains("no system BLAS") && bad.description().contains("libfake.so"),
                bad.description());

        GemmProvider.Choice none = GemmProvider.choose("auto", List.of(), 2);
        assertSame(GemmProvider.JAVA, none.kernel());
        assertTrue(none.description().contains("no system BLAS: none found"), none.description());
    }

    @Test
    void aLibraryWithoutTheGemmSymbolsIsSkipped() {
        Path libm = Path.of("/usr/lib/x86_64-linux-gnu/libm.so.6");
        assumeTrue(Files.exists(libm), "no " + libm + " on this machine");
        GemmProvider.Choice c = GemmProvider.choose(libm.toString(), List.of(), 2);
        assertSame(GemmProvider.JAVA, c.kernel());
        assertTrue(c.description().contains("lacks the symbols cblas_sgemm and cblas_dgemm"), c.description());
        // in auto mode the search goes on to the next candidate
        List<BlasLocator.Candidate> candidates = new java.util.ArrayList<>();
        candidates.add(new BlasLocator.Candidate(libm, null));
        candidates.addAll(BlasLocator.candidates());
        GemmProvider.Choice next = GemmProvider.choose("auto", candidates, 2);
        assumeTrue(next.blas() != null, next::description);
        assertTrue(!next.blas().file().equals(libm.toString()), next.description());
    }

    @Test
    void theThreadCountIsTheOneGiven() {
        SystemBlas blas = blas();
        assumeTrue(blas.threads() >= 0, () -> blas.provider() + " has no thread-count getter");
        assertEquals(ComputePool.THREADS, blas.threads(), "the BLAS of the test JVM's choice");
        String file = blas.file();
        assertEquals(1, GemmProvider.choose(file, List.of(), 1).blas().threads());
        assertEquals(2, GemmProvider.choose(file, List.of(), 2).blas().threads());
        assertEquals(ComputePool.THREADS, GemmProvider.choose(file, List.of(), ComputePool.THREADS).blas().threads());
    }

    @Test
    void theProcessChoiceNamesProviderAndFile() {
        GemmProvider.Choice c = GemmProvider.CHOICE;
        assertTrue(new JavaBackend().description().contains(c.description()));
        if (c.blas() != null) {
            assertTrue(c.description().contains(c.blas().file()) && c.blas().file().startsWith("/"), c.description());
            assertEquals(ComputePool.THREADS, c.blas().threads());
        }
    }

    @Test
    void theProcessChoiceFollowsTheProperty() {
        // CI runs this class once as configured (a BLAS where one is installed) and once with -Dtangent4j.blas=none
        if ("none".equals(System.getProperty(GemmProvider.PROPERTY))) {
            assertNull(GemmProvider.CHOICE.blas(), GemmProvider.CHOICE.description());
            assertSame(GemmProvider.JAVA, JavaGemm.KERNEL);
        } else if (Files.exists(DEBIAN_OPENBLAS)) {
            assertNotNull(GemmProvider.CHOICE.blas(), GemmProvider.CHOICE.description());
        }
    }

    @Test
    void numpysBundledOpenBlasWithRenamedSixtyFourBitSymbolsBinds() {
        Path wheel = BlasLocator.candidates().stream().map(BlasLocator.Candidate::file)
                .filter(f -> f != null && f.getFileName().toString().contains("scipy_openblas64")).findFirst().orElse(null);
        assumeTrue(wheel != null, "no NumPy/SciPy wheel with a 64-bit-integer OpenBLAS here");
        GemmProvider.Choice c = GemmProvider.choose(wheel.toString(), List.of(), 2);
        assertNotNull(c.blas(), c.description());
        assertEquals(2, c.blas().threads());
        compare(c.blas(), true, true, false, 33, 17, 65, 1, 0.5, 1, 3, 5);
        compare(c.blas(), false, false, true, 17, 33, 65, 1, 0, 0, 0, 6);
    }

    @Test
    void theSearchOrder(@TempDir Path root) throws IOException {
        Path distro = Files.createDirectories(root.resolve("usr/lib/x86_64-linux-gnu/openblas-pthread"));
        Files.writeString(distro.resolve("libopenblas.so.0"), "");
        Path home = root.resolve("home");
        Path numpy = Files.createDirectories(home.resolve(".local/lib/python3.12/site-packages/numpy.libs"));
        Files.writeString(numpy.resolve("libscipy_openblas64_-abc.so"), "");
        Files.writeString(numpy.resolve("libgfortran-1.so.5"), "");
        Path venv = Files.createDirectories(root.resolve("venv/lib/python3.11/site-packages/scipy_openblas32/lib"));
        Files.writeString(venv.resolve("libscipy_openblas.so"), "");
        List<String> found = BlasLocator.candidates(root, Map.of("HOME", home.toString(), "VIRTUAL_ENV",
                root.resolve("venv").toString()), false).stream().map(Object::toString).toList();
        assertEquals(List.of(distro.resolve("libopenblas.so.0").toString(), venv.resolve("libscipy_openblas.so").toString(),
                numpy.resolve("libscipy_openblas64_-abc.so").toString()), found);
        assertEquals(BlasLocator.SONAMES, BlasLocator.candidates(root, Map.of(), true).stream()
                .map(BlasLocator.Candidate::soname).limit(BlasLocator.SONAMES.size()).toList());
    }
}
