package io.github.tangent4j.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Both GEMM kernels against a naive triple loop in double precision. */
class JavaGemmTest {
    private static final List<GemmKernel> KERNELS = List.of(new VectorKernel(), new ScalarGemm());
    private static final int[] SIZES = {1, 3, 17, 255, 257};

    /** {@code count} uniform values in [-1, 1) of the given precision, 64-byte aligned. */
    static MemorySegment random(Arena arena, boolean f64, long count, SplittableRandom rng) {
        MemorySegment s = arena.allocate(Math.max(1, count) * (f64 ? 8 : 4), 64);
        for (long i = 0; i < count; i++) {
            double v = rng.nextDouble(-1, 1);
            if (f64) {
                s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, v);
            } else {
                s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) v);
            }
        }
        return s;
    }

    static double get(MemorySegment s, boolean f64, long i) {
        return f64 ? s.getAtIndex(ValueLayout.JAVA_DOUBLE, i) : s.getAtIndex(ValueLayout.JAVA_FLOAT, i);
    }

    static void set(MemorySegment s, boolean f64, long i, double v) {
        if (f64) {
            s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, v);
        } else {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) v);
        }
    }

    /** Runs one case on {@code kernel} and checks every element of C against the naive loop. */
    private static void check(GemmKernel kernel, boolean f64, boolean ta, boolean tb, int m, int n, int k,
            double alpha, double beta, int pad, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        try (Arena arena = Arena.ofShared()) {
            long lda = (ta ? m : k) + pad;
            long ldb = (tb ? k : n) + pad;
            long ldc = n + pad;
            MemorySegment a = random(arena, f64, (ta ? k : m) * lda, rng);
            MemorySegment b = random(arena, f64, (tb ? n : k) * ldb, rng);
            MemorySegment c = random(arena, f64, m * ldc, rng);
            if (beta == 0) {
                for (long i = 0; i < (long) m * ldc; i++) {
                    set(c, f64, i, Double.NaN);   // must not leak through when beta == 0
                }
            }
            double[] expected = new double[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) {
                        s += get(a, f64, ta ? p * lda + i : i * lda + p) * get(b, f64, tb ? j * ldb + p : p * ldb + j);
                    }
                    expected[i * n + j] = alpha * s + (beta == 0 ? 0 : beta * get(c, f64, i * ldc + j));
                }
            }
            JavaGemm.gemm(kernel, f64, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            double tol = (f64 ? 1e-13 : 2e-6) * Math.max(1, k);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double got = get(c, f64, i * ldc + j);
                    double want = expected[i * n + j];
                    if (!(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)))) {
                        throw new AssertionError(kernel.name() + (f64 ? " F64 " : " F32 ") + (ta ? "T" : "N")
                                + (tb ? "T" : "N") + " m=" + m + " n=" + n + " k=" + k + " alpha=" + alpha + " beta="
                                + beta + " pad=" + pad + ": C[" + i + "," + j + "] = " + got + ", expected " + want);
                    }
                }
                for (int j = n; j < ldc; j++) {
                    // Padding between rows is never written.
                    assertTrue(beta == 0 ? Double.isNaN(get(c, f64, i * ldc + j)) : !Double.isNaN(get(c, f64, i * ldc + j)));
                }
            }
        }
    }

    @Test
    void oddSizesAllTransposesBothPrecisionsBothKernels() {
        long seed = 1;
        for (GemmKernel kernel : KERNELS) {
            for (boolean f64 : new boolean[] {true, false}) {
                for (int t = 0; t < 4; t++) {
                    for (int m : SIZES) {
                        for (int n : new int[] {1, 17, 257}) {
                            int k = SIZES[(int) (seed++ % SIZES.length)];
                            check(kernel, f64, (t & 1) != 0, (t & 2) != 0, m, n, k, 1, 0, 0, seed);
                        }
                    }
                }
            }
        }
    }

    @Test
    void alphaBetaAndLeadingDimensionsLargerThanTheWidth() {
        for (GemmKernel kernel : KERNELS) {
            for (boolean f64 : new boolean[] {true, false}) {
                for (int t = 0; t < 4; t++) {
                    check(kernel, f64, (t & 1) != 0, (t & 2) != 0, 37, 70, 300, -0.5, 2.0, 3, 7 + t);
                    check(kernel, f64, (t & 1) != 0, (t & 2) != 0, 9, 33, 5, 1.5, 1.0, 1, 11 + t);
                    check(kernel, f64, (t & 1) != 0, (t & 2) != 0, 64, 64, 64, 2.0, 0, 5, 13 + t);
                }
            }
        }
    }

    @Test
    void blockBoundariesAndTheMultiThreadedPath() {
        // k crosses KC (512), m crosses MC (96 F32, 192 F64 on AMD; Intel's larger MC in GemmBlockingTest),
        // n crosses NR panels and NC (2048 F64, 4096 F32);
        // the first packed B block is larger than L2_B_BLOCK in the first case and smaller in the others, so
        // both loop orders run, and the last two have a single A block (m <= MC), packed B panel by panel;
        // the first two are big enough to split across threads.
        for (boolean f64 : new boolean[] {true, false}) {
            check(KERNELS.get(0), f64, false, false, 300, 1100, 520, 1, 0.5, 0, 21);
            check(KERNELS.get(0), f64, true, true, 97, 700, 257, 1, 0, 2, 22);
            check(KERNELS.get(0), f64, false, true, 5, 4100, 20, -1, 0.25, 1, 23);
            check(KERNELS.get(0), f64, true, false, 17, 70, 1100, 0.5, 1, 3, 24);
            // more rows per thread than one A block in the panel order (Intel: the row-stream order)
            check(KERNELS.get(0), f64, false, false, 1700, 130, 70, 1, 0.5, 1, 25);
            // B transposed (packed by vector scatters) across a KC boundary, in both loop orders, with a view of B
            check(KERNELS.get(0), f64, false, true, 37, 131, 600, 1, 0.5, 3, 26);
            check(KERNELS.get(0), f64, true, true, 801, 45, 530, -1, 0, 1, 27);
        }
        assertTrue(520L * 1100 > VectorGemm32.L2_B_BLOCK && 20L * 4100 < VectorGemm64.L2_B_BLOCK);
    }

    @Test
    void productsWithALongInnerDimensionSplitAlongIt() {
        // k >= max(m, n) and enough work to run on every thread: k is split, the slices' products summed
        for (boolean f64 : new boolean[] {true, false}) {
            for (GemmKernel kernel : KERNELS) {
                check(kernel, f64, true, false, 37, 45, 1300, 0.5, -1, 2, 28);
                check(kernel, f64, false, true, 40, 33, 1700, 1, 0, 1, 29);
                check(kernel, f64, true, true, 3, 700, 2111, -2, 0.5, 0, 30);
            }
        }
        assertEquals(ComputePool.THREADS > 1, InnerSplitGemm.applies(ComputePool.THREADS, 37, 45, 1300, 8));
        assertEquals(ComputePool.THREADS > 1, InnerSplitGemm.applies(ComputePool.THREADS, 256, 256, 5120, 4));
        assertTrue(!InnerSplitGemm.applies(ComputePool.THREADS, 2560, 512, 512, 4)
                && !InnerSplitGemm.applies(ComputePool.THREADS, 2048, 2048, 8192, 8)
                && !InnerSplitGemm.applies(1, 37, 45, 1300, 8));
    }

    @Test
    void emptyInnerDimensionScalesC() {
        for (GemmKernel kernel : KERNELS) {
            check(kernel, true, false, false, 5, 7, 0, 1, 0.5, 0, 3);
            check(kernel, true, false, false, 5, 7, 0, 1, 0, 0, 4);
        }
    }

    @Test
    void nanAndInfinityInTheInputsPropagate() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = arena.allocate(8 * 4 * 4, 64);
            MemorySegment b = arena.allocate(8 * 4 * 4, 64);
            MemorySegment c = arena.allocate(8 * 4 * 4, 64);
            b.setAtIndex(ValueLayout.JAVA_DOUBLE, 5, Double.NaN);   // A is all zeros: 0 * NaN is NaN
            JavaGemm.gemm(true, false, false, 4, 4, 4, 1, a, 4, b, 4, 0, c, 4);
            assertTrue(Double.isNaN(c.getAtIndex(ValueLayout.JAVA_DOUBLE, 1)));
            assertEquals(0, c.getAtIndex(ValueLayout.JAVA_DOUBLE, 0));
        }
    }
}
