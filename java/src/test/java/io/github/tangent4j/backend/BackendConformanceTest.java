package io.github.tangent4j.backend;

import static io.github.tangent4j.backend.TestBackends.download;
import static io.github.tangent4j.backend.TestBackends.random;
import static io.github.tangent4j.backend.TestBackends.tensor;
import static io.github.tangent4j.backend.TestBackends.tolerance;
import static io.github.tangent4j.backend.TestBackends.upload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@link Backend} primitive on every backend the test JVM can run, checked against scalar
 * references computed here from the same inputs.
 */
class BackendConformanceTest {
    private static final long[] GEMM_SIZES = {1, 3, 17, 65};

    static Stream<Arguments> backendsAndTypes() {
        List<Arguments> list = new ArrayList<>();
        for (String name : TestBackends.names()) {
            for (DType t : new DType[] {DType.F64, DType.F32}) {
                list.add(Arguments.of(name, t));
            }
        }
        return list.stream();
    }

    static Stream<Arguments> gemmCases() {
        List<Arguments> list = new ArrayList<>();
        for (String name : TestBackends.names()) {
            for (DType t : new DType[] {DType.F64, DType.F32}) {
                for (boolean ta : new boolean[] {false, true}) {
                    for (boolean tb : new boolean[] {false, true}) {
                        list.add(Arguments.of(name, t, ta, tb));
                    }
                }
            }
        }
        return list.stream();
    }

    /** |actual - expected| <= tol * scale elementwise, scale >= |expected| supplied by the caller. */
    static void assertClose(double[] expected, double[] actual, double[] scale, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            if (!(err <= tol * scale[i]) && !(Double.isNaN(expected[i]) && Double.isNaN(actual[i]))) {
                fail(what + ": element " + i + " expected " + expected[i] + " but was " + actual[i] + " (error " + err
                        + " > " + tol + " * " + scale[i] + ")");
            }
        }
    }

    /** Elementwise comparison with scale max(|expected|, 1). */
    static void assertClose(double[] expected, double[] actual, DType t, String what) {
        double[] scale = new double[expected.length];
        for (int i = 0; i < scale.length; i++) {
            scale[i] = Math.max(1, Math.abs(expected[i]));
        }
        assertClose(expected, actual, scale, tolerance(t), what);
    }

    // ---------------------------------------------------------------- memory and transfers

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndTypes")
    void allocateIsZeroFilled(String name, DType t) {
        TestBackends.with(name, b -> {
            for (long[] s : new long[][] {{1, 1}, {7, 13}, {64, 65}, {0, 5}, {5, 0}}) {
                DeviceMatrix m = b.allocate(t, s[0], s[1]);
                assertEquals(t, m.dtype());
                assertEquals(s[0], m.rows());
                assertEquals(s[1], m.cols());
                for (double x : download(b, m)) {
                    assertEquals(0.0, x, "allocate " + s[0] + " x " + s[1]);
                }
                m.close();
            }
            assertEquals(0, b.openAllocations());
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndTypes")
    void allocateUninitialisedHasItsShapeIsOwnedAndHoldsWhatIsWritten(String name, DType t) {
        TestBackends.with(name, b -> {
            long before = b.openAllocations();
            DeviceMatrix m = b.allocateUninitialised(t, 37, 11);
            assertEquals(37, m.rows());
            assertEquals(11, m.cols());
            assertEquals(t, m.dtype());
            assertEquals(before + 1, b.openAllocations());
            b.fill(m, 0.5);
            for (double x : TestBackends.download(b, m)) {
                assertEquals(0.5, x);
            }
            m.close();
            assertEquals(before, b.openAllocations());
            assertEquals(0, b.allocateUninitialised(t, 0, 5).size());
            assertThrows(IllegalArgumentException.class, () -> b.allocateUninitialised(t, -1, 5));
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndTypes")
    void uploadDownloadRoundTripOfEveryRank(String name, DType t) {
        TestBackends.with(name, b -> {
            SplittableRandom rnd = new SplittableRandom(1);
            double[] v = random(rnd, t, 60);
            Tensor rank1 = tensor(t, v, 60);
            Tensor rank2 = tensor(t, v, 6, 10);
            Tensor rank3 = tensor(t, v, 3, 4, 5);
            DeviceMatrix m1 = b.upload(rank1);
            DeviceMatrix m2 = b.upload(rank2);
            DeviceMatrix m3 = b.upload(rank3);
            assertEquals(1, m1.rows());
            assertEquals(60, m1.cols());
            assertEquals(6, m2.rows());
            assertEquals(10, m2.cols());
            assertEquals(3, m3.rows());
            assertEquals(20, m3.cols());
            for (DeviceMatrix m : new DeviceMatrix[] {m1, m2, m3}) {
                Tensor back = b.download(m);
                assertEquals(t, back.dtype());
                assertArrayEquals(new long[] {m.rows(), m.cols()}, back.shape());
                assertArrayEquals(v, back.toDoubleArray());
            }
            // download into a given tensor of another shape with the same element count
            Tensor into = Tensor.allocate(t, 2, 30);
            b.download(m3, into);
            assertArrayEquals(v, into.toDoubleArray());
            // upload into an existing matrix, from a heap segment (staged through native memory by CUDA)
            double[] w = random(rnd, t, 60);
            MemorySegment heap = t == DType.F64 ? MemorySegment.ofArray(w) : MemorySegment.ofArray(toFloats(w));
            b.upload(Tensor.wrap(heap, t, 60), m2);
            assertArrayEquals(w, download(b, m2));
            // and download into a heap-backed tensor
            MemorySegment heapOut = t == DType.F64 ? MemorySegment.ofArray(new double[60])
                    : MemorySegment.ofArray(new float[60]);
            b.download(m2, Tensor.wrap(heapOut, t, 6, 10));
            assertArrayEquals(w, Tensor.wrap(heapOut, t, 60).toDoubleArray());
        });
    }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndTypes")
    void rowViewsReadAndWriteTheirOwnRows(String name, DType t) {
        TestBackends.with(name, b -> {
            SplittableRandom rnd = new SplittableRandom(2);
            double[] v = random(rnd, t, 8 * 5);
            DeviceMatrix m = upload(b, t, v, 8, 5);
            DeviceMatrix view = m.rows(3, 6);
            double[] expected = java.util.Arrays.copyOfRange(v, 15, 30);
            assertArrayEquals(expected, download(b, view));
            double[] w = random(rnd, t, 15);
            b.upload(tensor(t, w, 3, 5), view);
            double[] all = download(b, m);
            for (int i = 0; i < 40; i++) {
                assertEquals(i >= 15 && i < 30 ? w[i - 15] : v[i], all[i], "element " + i);
            }
            // reshape views share memory
            assertArrayEquals(all, download(b, m.reshape(4, 10)));
            view.close(); // closing a view frees nothing
            assertFalse(m.isClosed());
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndTypes")
    void copyAndFill(String name, DType t) {
        TestBackends.with(name, b -> {
            SplittableRandom rnd = new SplittableRandom(3);
            double[] v = random(rnd, t, 70);
            DeviceMatrix src = upload(b, t, v, 7, 10);
            DeviceMatrix dst = b.allocate(t, 14, 5);
            b.copy(src, dst);
            assertArrayEquals(v, download(b, dst));
            // copy between row views of the same matrix (disjoint rows)
            b.copy(dst.rows(0, 2), dst.rows(10, 12));
            double[] after = download(b, dst);
            for (int i = 0; i < 10; i++) {
                assertEquals(v[i], after[50 + i]);
            }
            // overlapping views copy as if through a temporary (memmove)
            DeviceMatrix flat = dst.reshape(1, 70);
            b.copy(src.reshape(1, 70), flat);
            b.copy(flat.reshape(7, 10).rows(0, 5), flat.reshape(7, 10).rows(2, 7));
            double[] moved = download(b, flat);
            for (int i = 0; i < 70; i++) {
                assertEquals(i < 20 ? v[i] : v[i - 20], moved[i], "overlapping copy, element " + i);
            }
            b.copy(flat.reshape(7, 10).rows(2, 7), flat.reshape(7, 10).rows(0, 5));
            b.copy(flat, flat); // the same memory: nothing to do
            moved = download(b, flat);
            for (int i = 0; i < 50; i++) {
                assertEquals(v[i], moved[i], "overlapping copy back, element " + i);
            }
            for (double value : new double[] {2.5, -1.25, 0.0, 1e30}) {
                b.fill(dst, value);
                for (double x : download(b, dst)) {
                    assertEquals(TestBackends.round(t, value), x);
                }
            }
            b.fill(dst, -0.0);
            for (double x : download(b, dst)) {
                assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(x), "fill -0.0 keeps the sign");
            }
            b.fill(dst.rows(1, 2), 7);
            double[] rows = download(b, dst);
            for (int i = 0; i < 70; i++) {
                assertEquals(i >= 5 && i < 10 ? 7 : -0.0, rows[i]);
            }
        });
    }

    // ---------------------------------------------------------------- GEMM

    /** C = alpha op(A) op(B) + beta C by the definition; scale gets the sum of |terms|. */
    static double[] referenceGemm(boolean ta, boolean tb, int m, int n, int k, double alpha, double[] a, double[] b,
            double beta, double[] c, double[] scale) {
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                double abs = 0;
                for (int p = 0; p < k; p++) {
                    double x = ta ? a[p * m + i] : a[i * k + p];
                    double y = tb ? b[j * k + p] : b[p * n + j];
                    s += x * y;
                    abs += Math.abs(x * y);
                }
                double prior = beta == 0 ? 0 : beta * c[i * n + j];
                out[i * n + j] = alpha * s + prior;
                scale[i * n + j] = Math.abs(alpha) * abs + Math.abs(prior) + Double.MIN_NORMAL;
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} {1} transA={2} transB={3}")
    @MethodSource("gemmCases")
    void gemmMatchesTheDefinitionForOddSizes(String name, DType t, boolean ta, boolean tb) {
        TestBackends.with(name, b -> {
            SplittableRandom rnd = new SplittableRandom(4);
            for (long m : GEMM_SIZES) {
                for (long n : GEMM_SIZES) {
                    for (long k : GEMM_SIZES) {
                        if (m * n * k > 65 * 17 * 17 && !(m == 65 && n == 65 && k == 65)) {
                            continue; // keep the suite short: every size appears, the largest cube once
                        }
                        double[] a = random(rnd, t, m * k);
                        double[] bv = random(rnd, t, k * n);
                        double[] c = random(rnd, t, m * n);
                        double alpha = 1.5;
                        double beta = -0.5;
                        try (DeviceMatrix da = upload(b, t, a, ta ? k : m, ta ? m : k);
                                DeviceMatrix db = upload(b, t, bv, tb ? n : k, tb ? k : n);
                                DeviceMatrix dc = upload(b, t, c, m, n)) {
                            b.gemm(ta, tb, alpha, da, db, beta, dc);
                            double[] scale = new double[(int) (m * n)];
                            double[] ref = referenceGemm(ta, tb, (int) m, (int) n, (int) k, alpha, a, bv, beta, c,
                                    scale);
                            assertClose(ref, download(b, dc), scale, tolerance(t),
                                    "gemm " + m + "x" + n + "x" + k);
                            // beta = 0: C is not read, NaN in C does not propagate
                            b.fill(dc, Double.NaN);
                            b.gemm(ta, tb, -2, da, db, 0, dc);
                            ref = referenceGemm(ta, tb, (int) m, (int) n, (int) k, -2, a, bv, 0, c, scale);
                            assertClose(ref, download(b, dc), scale, tolerance(t),
                                    "gemm beta=0 " + m + "x" + n + "x" + k);
                        }
                    }
                }
            }
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndTypes")
    void gemmOnRowViewsAndWithEmptyInnerDimension(String name, DType t) {
        TestBackends.with(name, b -> {
            SplittableRandom rnd = new SplittableRandom(5);
            double[] a = random(rnd, t, 10 * 4);
            double[] bv = random(rnd, t, 4 * 3);
            DeviceMatrix da = upload(b, t, a, 10, 4);
            DeviceMatrix db = upload(b, t, bv, 4, 3);
            DeviceMatrix dc = b.allocate(t, 10, 3);
            b.gemm(false, false, 1, da.rows(2, 7), db, 0, dc.rows(5, 10));
            double[] scale = new double[15];
            double[] ref = referenceGemm(false, false, 5, 3, 4, 1, java.util.Arrays.copyOfRange(a, 8, 28), bv, 0,
                    null, scale);
            double[] out = download(b, dc);
            assertClose(ref, java.util.Arrays.copyOfRange(out, 15, 30), scale, tolerance(t), "gemm on views");
            for (int i = 0; i < 15; i++) {
                assertEquals(0.0, out[i], "rows outside the view stay untouched");
            }
            // k = 0: C = beta C
            DeviceMatrix e1 = b.allocate(t, 3, 0);
            DeviceMatrix e2 = b.allocate(t, 0, 2);
            DeviceMatrix c2 = b.allocate(t, 3, 2);
            b.fill(c2, 4);
            b.gemm(false, false, 1, e1, e2, 0.5, c2);
            for (double x : download(b, c2)) {
                assertEquals(2.0, x);
            }
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndTypes")
    void gemmWithZeroAlphaReadsNeitherANorB(String name, DType t) {
        TestBackends.with(name, b -> {
            DeviceMatrix da = b.allocate(t, 6, 5);
            DeviceMatrix db = b.allocate(t, 5, 4);
            DeviceMatrix dc = b.allocate(t, 6, 4);
            b.fill(da, Double.NaN);
            b.fill(db, Double.POSITIVE_INFINITY);
            b.fill(dc, 3);
            b.gemm(false, false, 0, da, db, 0.5, dc);
            for (double x : download(b, dc)) {
                assertEquals(1.5, x, "C = beta C");
            }
            // two blocks: op(A) 3 x 5, op(B) 5 x 2, C 3 x 2 each, in the first 12 elements of dc
            b.gemmBatched(2, true, true, 0, da.reshape(10, 3), db.reshape(4, 5), 0, dc.rows(0, 3).reshape(6, 2));
            double[] out = download(b, dc);
            for (int i = 0; i < out.length; i++) {
                assertEquals(i < 12 ? 0.0 : 1.5, out[i], "beta = 0 as well: C = 0; the rest untouched");
            }
        });
    }

    @ParameterizedTest(name = "{0} {1} transA={2} transB={3}")
    @MethodSource("gemmCases")
    void gemmBatchedIsOneGemmPerBlock(String name, DType t, boolean ta, boolean tb) {
        // a short batch, and a long batch of small GEMMs (the Java backend spreads those across threads)
        checkGemmBatched(name, t, ta, tb, 3, 5, 7, 17);
        checkGemmBatched(name, t, ta, tb, 301, 16, 33, 20);
    }

    private static void checkGemmBatched(String name, DType t, boolean ta, boolean tb, int batch, int m, int n,
            int k) {
        TestBackends.with(name, b -> {
            SplittableRandom rnd = new SplittableRandom(6);
            double[] a = random(rnd, t, (long) batch * m * k);
            double[] bv = random(rnd, t, (long) batch * k * n);
            double[] c = random(rnd, t, (long) batch * m * n);
            DeviceMatrix da = upload(b, t, a, batch * (ta ? k : m), ta ? m : k);
            DeviceMatrix db = upload(b, t, bv, batch * (tb ? n : k), tb ? k : n);
            DeviceMatrix dc = upload(b, t, c, batch * m, n);
            b.gemmBatched(batch, ta, tb, 0.75, da, db, 0.25, dc);
            double[] out = download(b, dc);
            for (int i = 0; i < batch; i++) {
                double[] scale = new double[m * n];
                double[] ref = referenceGemm(ta, tb, m, n, k, 0.75,
                        java.util.Arrays.copyOfRange(a, i * m * k, (i + 1) * m * k),
                        java.util.Arrays.copyOfRange(bv, i * k * n, (i + 1) * k * n), 0.25,
                        java.util.Arrays.copyOfRange(c, i * m * n, (i + 1) * m * n), scale);
                assertClose(ref, java.util.Arrays.copyOfRange(out, i * m * n, (i + 1) * m * n), scale, tolerance(t),
                        "batch " + i);
            }
        });
    }

    // ---------------------------------------------------------------- elementwise

    static final Activation[] ACTIVATIONS = {Activation.RELU, Activation.leakyRelu(0.01), Activation.leakyRelu(-0.3),
        Activation.ABS, Activation.TANH, Activation.ERF, Activation.IDENTITY};

    /** The scalar definitions, written out here independently of {@link Activation}. */
    static double phi(Activation f, double x) {
        return switch (f.kind()) {
            case RELU -> x > 0 ? x : 0;
            case LEAKY_RELU -> x > 0 ? x : f.slope() * x;
            case ABS -> x < 0 ? -x : x;
            case TANH -> (Math.exp(2 * x) - 1) / (Math.exp(2 * x) + 1);
            case ERF -> org.apache.commons.numbers.gamma.Erf.value(x);
            case IDENTITY -> x;
        };
    }

    static double dphi(Activation f, double x) {
        return switch (f.kind()) {
            case RELU -> x > 0 ? 1 : 0;
            case LEAKY_RELU -> x > 0 ? 1 : f.slope();
            case ABS -> x > 0 ? 1 : x < 0 ? -1 : 0;
            case TANH -> 1 / (Math.cosh(x) * Math.cosh(x));
            case ERF -> 2 / Math.sqrt(Math.PI) * Math.exp(-x * x);
            case IDENTITY -> 1;
        };
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndTypes")
    void activateAndDerivativeOfEveryKind(String name, DType t) {
        TestBackends.with(name, b -> {
            SplittableRandom rnd = new SplittableRandom(7);
            double[] x = new double[300];
            for (int i = 0; i < x.length; i++) {
                x[i] = TestBackends.round(t, rnd.nextDouble(-4, 4));
            }
            x[0] = 0.0;
            x[1] = -0.0;
            x[2] = 1e-300 * (t == DType.F64 ? 1 : 0); // tiny positive in F64, zero in F32
            x[3] = TestBackends.round(t, -1e-8);
            x[4] = TestBackends.round(t, 1e-8);
            DeviceMatrix z = upload(b, t, x, 20, 15);
            DeviceMatrix h = b.allocate(t, 20, 15);
            for (Activation f : ACTIVATIONS) {
                double[] ev = new double[x.length];
                double[] ed = new double[x.length];
                for (int i = 0; i < x.length; i++) {
                    ev[i] = TestBackends.round(t, phi(f, x[i]));
                    ed[i] = TestBackends.round(t, dphi(f, x[i]));
                }
                b.activate(f, z, h);
                double[] v = download(b, h);
                assertClose(ev, v, t, f + " value");
                b.derivative(f, z, h);
                double[] d = download(b, h);
                assertClose(ed, d, t, f + " derivative");
                // at exactly 0: relu' = 0, leaky' = slope, abs' = 0 (PyTorch's conventions)
                for (int i = 0; i < 2; i++) {
                    double expected = switch (f.kind()) {
                        case RELU, ABS -> 0;
                        case LEAKY_RELU -> TestBackends.round(t, f.slope());
                        default -> ed[i];
                    };
                    assertEquals(expected, d[i], 0.0, f + "'(" + x[i] + ")");
                    if (f.isPiecewiseLinear()) {
                        assertEquals(0.0, v[i], 0.0, f + "(" + x[i] + ")");
                    }
                }
            }
            // in place: h may be z
            b.activate(Activation.TANH, z, z);
            double[] ev = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                ev[i] = TestBackends.round(t, phi(Activation.TANH, x[i]));
            }
            assertClose(ev, download(b, z), t, "tanh in place");
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndTypes")
    void addRowVectorAndScaling(String name, DType t) {
        TestBackends.with(name, b -> {
            SplittableRandom rnd = new SplittableRandom(8);
            int rows = 9;
            int cols = 70;
            double[] m = random(rnd, t, rows * cols);
            double[] vc = random(rnd, t, cols);
            double[] vr = random(rnd, t, rows);
            DeviceMatrix dm = upload(b, t, m, rows, cols);
            DeviceMatrix dvc = upload(b, t, vc, cols, 1); // any shape with cols elements
            DeviceMatrix dvr = upload(b, t, vr, 1, rows);
            double[] e = new double[rows * cols];
            b.addRowVector(dm, dvc);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    e[i * cols + j] = TestBackends.round(t, m[i * cols + j] + vc[j]);
                }
            }
            assertClose(e, download(b, dm), t, "addRowVector");
            b.scaleRows(dm, dvr);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    e[i * cols + j] = TestBackends.round(t, e[i * cols + j] * vr[i]);
                }
            }
            assertClose(e, download(b, dm), t, "scaleRows");
            b.scaleColumns(dm, dvc);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    e[i * cols + j] = TestBackends.round(t, e[i * cols + j] * vc[j]);
                }
            }
            assertClose(e, download(b, dm), t, "scaleColumns");
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndTypes")
    void hadamardWithAndWithoutRepeat(String name, DType t) {
        TestBackends.with(name, b -> {
            SplittableRandom rnd = new SplittableRandom(9);
            int cols = 11;
            for (int repeat : new int[] {1, 3}) {
                int rows = 4 * repeat;
                double[] a = random(rnd, t, rows * cols);
                double[] bv = random(rnd, t, 4 * cols);
                DeviceMatrix da = upload(b, t, a, rows, cols);
                DeviceMatrix db = upload(b, t, bv, 4, cols);
                DeviceMatrix dc = b.allocate(t, rows, cols);
                double[] e = new double[rows * cols];
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < cols; j++) {
                        e[i * cols + j] = TestBackends.round(t, a[i * cols + j] * bv[(i / repeat) * cols + j]);
                    }
                }
                b.hadamard(da, db, dc);
                assertClose(e, download(b, dc), t, "hadamard repeat " + repeat);
                b.hadamard(da, db, da); // c may be a
                assertClose(e, download(b, da), t, "hadamard in place, repeat " + repeat);
            }
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndTypes")
    void sumAlongBothAxes(String name, DType t) {
        TestBackends.with(name, b -> {
            SplittableRandom rnd = new SplittableRandom(10);
            int rows = 33;
            int cols = 17;
            double[] m = random(rnd, t, rows * cols);
            DeviceMatrix dm = upload(b, t, m, rows, cols);
            DeviceMatrix s0 = b.allocate(t, 1, cols);
            DeviceMatrix s1 = b.allocate(t, rows, 1);
            b.sum(dm, 0, s0);
            b.sum(dm, 1, s1);
            double[] e0 = new double[cols];
            double[] a0 = new double[cols];
            double[] e1 = new double[rows];
            double[] a1 = new double[rows];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    e0[j] += m[i * cols + j];
                    a0[j] += Math.abs(m[i * cols + j]);
                    e1[i] += m[i * cols + j];
                    a1[i] += Math.abs(m[i * cols + j]);
                }
            }
            assertClose(e0, download(b, s0), a0, tolerance(t), "sum axis 0");
            assertClose(e1, download(b, s1), a1, tolerance(t), "sum axis 1");
            // summing zero rows gives zeros
            DeviceMatrix empty = b.allocate(t, 0, 4);
            DeviceMatrix out = b.allocate(t, 1, 4);
            b.fill(out, 9);
            b.sum(empty, 0, out);
            assertArrayEquals(new double[4], download(b, out));
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndTypes")
    void signBitsPackSignsWithZeroHighBits(String name, DType t) {
        TestBackends.with(name, b -> {
            SplittableRandom rnd = new SplittableRandom(11);
            for (int cols : new int[] {1, 63, 64, 65, 130}) {
                int rows = 5;
                double[] z = random(rnd, t, (long) rows * cols);
                for (int i = 0; i < z.length; i += 3) {
                    z[i] = 0.0; // exact zeros are not positive
                }
                z[1 % z.length] = -0.0;
                if (z.length > 2) {
                    z[2] = Double.NaN;
                }
                DeviceMatrix dz = upload(b, t, z, rows, cols);
                Tensor bits = b.signBits(dz);
                int words = (cols + 63) / 64;
                assertEquals(DType.I64, bits.dtype());
                assertArrayEquals(new long[] {rows, words}, bits.shape());
                for (int i = 0; i < rows; i++) {
                    for (int w = 0; w < words; w++) {
                        long word = bits.segment().getAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, (long) i * words + w);
                        long expected = 0;
                        for (int bit = 0; bit < 64; bit++) {
                            int j = w * 64 + bit;
                            if (j < cols && z[i * cols + j] > 0) {
                                expected |= 1L << bit;
                            }
                        }
                        assertEquals(expected, word, "row " + i + " word " + w + " cols " + cols);
                    }
                }
            }
        });
    }

    // ---------------------------------------------------------------- errors, ownership, threads

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void argumentErrorsNameTheArgument(String name) {
        TestBackends.with(name, b -> {
            DeviceMatrix a = b.allocate(DType.F64, 3, 4);
            DeviceMatrix bad = b.allocate(DType.F64, 5, 2);
            DeviceMatrix c = b.allocate(DType.F64, 3, 2);
            DeviceMatrix f32 = b.allocate(DType.F32, 4, 2);
            assertMessage(IllegalArgumentException.class, "b:", () -> b.gemm(false, false, 1, a, bad, 0, c));
            assertMessage(IllegalArgumentException.class, "dtype F64 but was F32",
                    () -> b.gemm(false, false, 1, a, f32, 0, c));
            assertMessage(IllegalArgumentException.class, "h: expected shape 3 x 4",
                    () -> b.activate(Activation.RELU, a, c));
            assertMessage(IllegalArgumentException.class, "v: expected 4 elements",
                    () -> b.addRowVector(a, c));
            assertMessage(IllegalArgumentException.class, "axis", () -> b.sum(a, 2, c));
            assertMessage(IllegalArgumentException.class, "host:",
                    () -> b.upload(Tensor.allocate(DType.F32, 12), a));
            try (Backend other = new io.github.tangent4j.backend.java.JavaBackend()) {
                DeviceMatrix foreign = other.allocate(DType.F64, 3, 4);
                assertMessage(IllegalArgumentException.class, "z: expected a matrix of this " + name,
                        () -> b.activate(Activation.RELU, foreign, a));
            }
            a.close();
            assertTrue(a.isClosed());
            assertMessage(IllegalStateException.class, "src: the matrix has been closed", () -> b.download(a));
            a.close(); // closing twice is harmless
        });
    }

    static void assertMessage(Class<? extends RuntimeException> type, String fragment, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            assertEquals(type, e.getClass(), "exception type, message: " + e.getMessage());
            assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
            return;
        }
        fail("expected " + type.getSimpleName() + " containing '" + fragment + "'");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void closingMatricesAndTheBackendFreesEverything(String name) {
        TestBackends.with(name, b -> {
            List<DeviceMatrix> all = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                all.add(b.allocate(DType.F64, i, 3));
            }
            assertEquals(5, b.openAllocations());
            assertTrue(b.availableMemory() > 0);
            all.get(0).close();
            all.get(0).rows(0, 0).close();
            assertEquals(4, b.openAllocations());
            b.close();
            assertTrue(all.get(4).isClosed(), "closing the backend closes its matrices");
            assertEquals(0, b.openAllocations());
            assertMessage(IllegalStateException.class, "closed", () -> b.fill(all.get(1), 1));
            b.close(); // closing twice is harmless
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void aClosedBackendRefusesEveryCallAndAllocatesNothing(String name) {
        TestBackends.with(name, b -> {
            DeviceMatrix m = b.allocate(DType.F64, 2, 3);
            b.close();
            Tensor host = tensor(DType.F64, new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
            String closed = "the " + b.name() + " backend is closed";
            assertMessage(IllegalStateException.class, closed, () -> b.allocate(DType.F64, 2, 3));
            assertMessage(IllegalStateException.class, closed, () -> b.allocateUninitialised(DType.F32, 4, 4));
            assertMessage(IllegalStateException.class, closed, () -> b.upload(host));
            assertMessage(IllegalStateException.class, closed, () -> b.upload(host, m));
            assertMessage(IllegalStateException.class, closed, () -> b.download(m));
            assertMessage(IllegalStateException.class, closed, b::availableMemory);
            assertMessage(IllegalStateException.class, closed, () -> b.signBits(m));
            assertEquals(0, b.openAllocations(), "a closed backend allocated");
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void aSecondThreadIsRejectedWhileOneIsInside(String name) throws Exception {
        TestBackends.with(name, b -> {
            int n = name.equals("java") ? 160 : 700;
            DeviceMatrix a = b.allocate(DType.F64, n, n);
            DeviceMatrix c = b.allocate(DType.F64, n, n);
            b.fill(a, 0.5);
            java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.concurrent.atomic.AtomicInteger rejected = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicReference<Throwable> other = new java.util.concurrent.atomic.AtomicReference<>();
            Thread intruder = new Thread(() -> {
                while (running.get()) {
                    try {
                        b.availableMemory();
                    } catch (IllegalStateException e) {
                        if (!e.getMessage().contains("one thread at a time")) {
                            other.set(e);
                        }
                        rejected.incrementAndGet();
                    } catch (Throwable e) {
                        other.set(e);
                    }
                }
            }, "intruder");
            intruder.start();
            try {
                int done = 0;
                long deadline = System.nanoTime() + 20_000_000_000L;
                while ((done < 3 || rejected.get() == 0) && System.nanoTime() < deadline) {
                    try {
                        b.gemm(false, false, 1, a, a, 0, c);
                        done++;
                    } catch (IllegalStateException e) {
                        // the intruder held the backend for an instant: try again
                    }
                }
            } finally {
                running.set(false);
                try {
                    intruder.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            assertEquals(null, other.get());
            assertTrue(rejected.get() > 0, "the second thread was never rejected");
            // state is intact: the product is still right
            for (double x : download(b, c)) {
                assertEquals(0.25 * n, x);
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void usableFromAnotherThreadOneAtATime(String name) throws Exception {
        TestBackends.with(name, b -> {
            DeviceMatrix m = b.allocate(DType.F64, 4, 4);
            java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    b.fill(m, 3); // a kernel launch: needs the context current on this new thread
                    b.activate(Activation.TANH, m, m);
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            t.start();
            try {
                t.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            assertEquals(null, failure.get());
            for (double x : download(b, m)) {
                assertEquals(Math.tanh(3), x, 1e-15);
            }
        });
    }
}
