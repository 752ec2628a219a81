package io.github.tangent4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.kernels.JacobianKernel.Kind;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Architecture;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Jacobian kernels against Richardson-extrapolated central finite differences of the analytic kernel
 * (away from x = x'), their x = x' limit for the ReLU family, structure (f block, symmetry, PSD),
 * degenerate inputs, and backend agreement. Monte Carlo is in {@link JacobianKernelMonteCarloTest}.
 */
class JacobianKernelTest {
    static final double H = 2e-3;

    /** The points x_0 and x_1 (D = 3) used for finite differences: neither equal nor collinear. */
    static final double[][] POINTS = {{0.9, -0.4, 1.1}, {-0.3, 1.2, 0.5}, {0.2, 0.1, -0.7}};

    /**
     * Inputs for finite differences around x: row 0 is x, then for each coordinate c the four rows
     * x + H e_c, x - H e_c, x + H/2 e_c, x - H/2 e_c.
     */
    static Tensor stencil(double[] x) {
        int d = x.length;
        Tensor t = Tensor.allocate(DType.F64, 1 + 4L * d, d);
        double[] steps = {H, -H, H / 2, -H / 2};
        for (int r = 0; r < 1 + 4 * d; r++) {
            for (int c = 0; c < d; c++) {
                t.set(x[c], r, c);
            }
            if (r > 0) {
                int c = (r - 1) / 4;
                t.set(x[c] + steps[(r - 1) % 4], r, c);
            }
        }
        return t;
    }

    static int row(int c, int which) {
        return 1 + 4 * c + which;
    }

    /** Richardson extrapolation of central differences, h and h/2: (4 D_{h/2} - D_h) / 3. */
    static double richardson(double dh, double dh2) {
        return (4 * dh2 - dh) / 3;
    }

    /** The finite-difference reference of the (1+D) x (1+D) block of the Jacobian kernel of kernel K at (x, y). */
    static double[][] finiteDifferenceBlock(Backend b, InfiniteWidthKernel k, boolean ntk, double[] x, double[] y) {
        InfiniteWidthKernel.Result r = (ntk ? k : k.withGet(InfiniteWidthKernel.Get.NNGP))
                .compute(b, stencil(x), stencil(y));
        Tensor kk = ntk ? r.outputNtk() : r.outputNngp();
        int d = x.length;
        double[][] block = new double[d + 1][d + 1];
        block[0][0] = kk.get(0, 0);
        for (int c = 0; c < d; c++) {
            block[1 + c][0] = richardson((kk.get(row(c, 0), 0) - kk.get(row(c, 1), 0)) / (2 * H),
                    (kk.get(row(c, 2), 0) - kk.get(row(c, 3), 0)) / H);
            block[0][1 + c] = richardson((kk.get(0, row(c, 0)) - kk.get(0, row(c, 1))) / (2 * H),
                    (kk.get(0, row(c, 2)) - kk.get(0, row(c, 3))) / H);
        }
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double mh = (kk.get(row(i, 0), row(j, 0)) - kk.get(row(i, 0), row(j, 1)) - kk.get(row(i, 1), row(j, 0))
                        + kk.get(row(i, 1), row(j, 1))) / (4 * H * H);
                double mh2 = (kk.get(row(i, 2), row(j, 2)) - kk.get(row(i, 2), row(j, 3))
                        - kk.get(row(i, 3), row(j, 2)) + kk.get(row(i, 3), row(j, 3))) / (H * H);
                block[1 + i][1 + j] = richardson(mh, mh2);
            }
        }
        return block;
    }

    static void assertBlock(double[][] want, Tensor got, int bi, int bj, double tol, String what) {
        int b = want.length;
        double scale = 0;
        for (double[] r : want) {
            for (double v : r) {
                scale = Math.max(scale, Math.abs(v));
            }
        }
        for (int a = 0; a < b; a++) {
            for (int c = 0; c < b; c++) {
                assertEquals(want[a][c], got.get((long) bi * b + a, (long) bj * b + c), tol * scale,
                        what + " block (" + bi + "," + bj + ") entry (" + a + "," + c + ")");
            }
        }
    }

    static Tensor points() {
        return Tensor.of(POINTS);
    }

    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void jacobianNngpEqualsFiniteDifferencesOfTheNngp(String backend) {
        TestBackends.with(backend, b -> {
            for (Activation phi : InfiniteWidthKernelTest.ACTIVATIONS) {
                for (int depth : new int[] {1, 3}) {
                    InfiniteWidthKernel k = InfiniteWidthKernel.of(Architecture.ntkVariances(phi, depth, 1.8, 0.2));
                    Tensor j = JacobianKernel.of(k).compute(b, points(), null, Kind.NNGP);
                    for (int p = 0; p < 3; p++) {
                        for (int q = 0; q < 3; q++) {
                            if (p != q) {
                                assertBlock(finiteDifferenceBlock(b, k, false, POINTS[p], POINTS[q]), j, p, q, 1e-7,
                                        phi + " depth " + depth + " jacobian-nngp");
                            }
                        }
                    }
                }
            }
        });
    }

    /** For smooth activations the Jacobian NTK is the mixed derivative of the NTK. */
    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void smoothJacobianNtkEqualsFiniteDifferencesOfTheNtk(String backend) {
        TestBackends.with(backend, b -> {
            for (Activation phi : List.of(Activation.ERF, Activation.IDENTITY)) {
                for (int depth : new int[] {1, 2, 3}) {
                    InfiniteWidthKernel k = InfiniteWidthKernel.of(Architecture.ntkVariances(phi, depth, 1.8, 0.2));
                    Tensor j = JacobianKernel.of(k).compute(b, points(), null, Kind.NTK);
                    for (int p = 0; p < 3; p++) {
                        for (int q = 0; q < 3; q++) {
                            if (p != q) {
                                assertBlock(finiteDifferenceBlock(b, k, true, POINTS[p], POINTS[q]), j, p, q, 1e-7,
                                        phi + " depth " + depth + " jacobian-ntk");
                            }
                        }
                    }
                }
            }
        });
    }

    /** The f-f blocks are the NTK and the NNGP; {@code valueRows} are the f rows of the full matrix. */
    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void valueBlocksAreTheKernels(String backend) {
        TestBackends.with(backend, b -> {
            for (Activation phi : InfiniteWidthKernelTest.ACTIVATIONS) {
                InfiniteWidthKernel k = InfiniteWidthKernel.of(Architecture.ntkVariances(phi, 3, 1.8, 0.2));
                Tensor x = InfiniteWidthKernelTest.withDegenerateRows(InfiniteWidthKernelTest.randomInputs(3, 4, 3));
                InfiniteWidthKernel.Result r = k.compute(b, x, null);
                Tensor jn = JacobianKernel.of(k).compute(b, x, null, Kind.NNGP);
                Tensor jt = JacobianKernel.of(k).compute(b, x, null, Kind.NTK);
                Tensor rows = JacobianKernel.of(k).valueRows(b, x, null, Kind.NTK);
                for (int p = 0; p < x.dim(0); p++) {
                    for (int q = 0; q < x.dim(0); q++) {
                        // the same recursion, here on the backend (vector arccos) and there in scalar code
                        double nngp = r.outputNngp().get(p, q);
                        double ntk = r.outputNtk().get(p, q);
                        assertEquals(nngp, jn.get(4L * p, 4L * q), 1e-12 * Math.max(1, Math.abs(nngp)), phi + " nngp");
                        assertEquals(ntk, jt.get(4L * p, 4L * q), 1e-12 * Math.max(1, Math.abs(ntk)), phi + " ntk");
                    }
                    for (int c = 0; c < rows.dim(1); c++) {
                        assertEquals(jt.get(4L * p, c), rows.get(p, c), 0.0, phi + " value rows");
                    }
                }
            }
        });
    }

    /** The diagonal blocks (x = x') of the ReLU family are the limit of the blocks at (x, x + eps u). */
    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void reluFamilyDiagonalBlocksAreTheLimitOfNearbyPairs(String backend) {
        TestBackends.with(backend, b -> {
            double[] u = {0.3, -0.8, 0.5};
            for (Activation phi : List.of(Activation.RELU, Activation.leakyRelu(0.2), Activation.ABS)) {
                for (double bias : new double[] {0, 0.2}) {
                    InfiniteWidthKernel k = InfiniteWidthKernel.of(Architecture.ntkVariances(phi, 3, 1.8, bias));
                    for (Kind kind : Kind.values()) {
                        Tensor x = Tensor.of(new double[][] {POINTS[0]});
                        Tensor self = JacobianKernel.of(k).compute(b, x, null, kind);
                        double previous = Double.POSITIVE_INFINITY;
                        for (double eps : new double[] {1e-3, 1e-4, 1e-5}) {
                            double[] near = POINTS[0].clone();
                            for (int c = 0; c < 3; c++) {
                                near[c] += eps * u[c];
                            }
                            Tensor pair = JacobianKernel.of(k).compute(b, x, Tensor.of(new double[][] {near}), kind);
                            double diff = 0;
                            double scale = 0;
                            for (long e = 0; e < self.size(); e++) {
                                diff = Math.max(diff, Math.abs(self.getFlat(e) - pair.getFlat(e)));
                                scale = Math.max(scale, Math.abs(self.getFlat(e)));
                            }
                            assertTrue(Double.isFinite(diff) && diff <= 50 * eps * scale,
                                    phi + " " + kind + " bias " + bias + " eps " + eps + ": diff " + diff);
                            assertTrue(diff < previous, phi + " " + kind + " eps " + eps + ": no convergence");
                            previous = diff;
                        }
                    }
                }
            }
        });
    }

    /**
     * 300 x 301 pairs go to the backend in chunks of {@link PairRecursion#CHUNK_PAIRS} / 301 = 217 rows (the
     * second one partial, in the same buffers): every row equals the row computed alone (to rounding: the Gram
     * GEMM of one row may sum in another order than that of 300).
     */
    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void chunkedRowsEqualRowsComputedAlone(String backend) {
        Tensor x = InfiniteWidthKernelTest.randomInputs(31, 300, 3);
        Tensor x2 = InfiniteWidthKernelTest.randomInputs(32, 301, 3);
        assertTrue(PairRecursion.CHUNK_PAIRS / 301 < 300, "more than one chunk");
        TestBackends.with(backend, b -> {
            for (Activation phi : List.of(Activation.RELU, Activation.ERF)) {
                JacobianKernel k = JacobianKernel.of(InfiniteWidthKernel.of(Architecture.ntkVariances(phi, 2, 1.7, 0.1)));
                for (Kind kind : Kind.values()) {
                    Tensor all = k.compute(b, x, x2, kind);
                    for (int i : new int[] {0, 1, 216, 217, 218, 299}) {
                        Tensor alone = k.compute(b, x.slice(i, i + 1), x2, kind);
                        for (int r = 0; r < 4; r++) {
                            for (int c = 0; c < alone.dim(1); c++) {
                                double want = alone.get(r, c);
                                assertEquals(want, all.get(4 * i + r, c), 1e-12 * Math.max(1, Math.abs(want)),
                                        phi + " " + kind + " point " + i);
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * K(X, X) mirrors the blocks of a tile's later chunks (the pairs of 270 points in chunks of 242 rows): equal
     * to K(X, X') for a copy X' of X, which computes every pair, in one tile and in tiles of 250 and 20 points
     * (the second one's columns before the tile computed, not mirrored), F64 and F32.
     */
    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void mirroredBlocksEqualEveryPairComputed(String backend) {
        Tensor x = InfiniteWidthKernelTest.withDegenerateRows(InfiniteWidthKernelTest.randomInputs(33, 270, 3));
        assertTrue(PairRecursion.CHUNK_PAIRS / 270 < 250, "more than one chunk in a tile");
        TestBackends.with(backend, b -> {
            for (Activation phi : List.of(Activation.RELU, Activation.ERF)) {
                JacobianKernel k = JacobianKernel.of(InfiniteWidthKernel.of(Architecture.ntkVariances(phi, 2, 1.7, 0.1)));
                for (Kind kind : Kind.values()) {
                    for (DType dtype : new DType[] {DType.F64, DType.F32}) {
                        Tensor xt = x.to(dtype);
                        Tensor want = k.compute(b, xt, xt.copy(), kind);
                        for (long tile : new long[] {270, 250}) {
                            double[] got = k.withMaxTileRows(tile).compute(b, xt, null, kind).toDoubleArray();
                            double[] w = want.toDoubleArray();
                            double tol = dtype == DType.F64 ? 1e-12 : 2e-6;
                            for (int e = 0; e < w.length; e++) {
                                assertEquals(w[e], got[e], tol * Math.max(1, Math.abs(w[e])),
                                        phi + " " + kind + " " + dtype + " tile " + tile + " at " + e);
                            }
                        }
                    }
                }
            }
        });
    }

    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void symmetricPsdFiniteOnDegenerateInputsAndBackendsAgree(String backend) {
        Tensor x = InfiniteWidthKernelTest.withDegenerateRows(InfiniteWidthKernelTest.randomInputs(21, 5, 3));
        for (Activation phi : InfiniteWidthKernelTest.ACTIVATIONS) {
            for (double bias : new double[] {0, 0.3}) {
                InfiniteWidthKernel k = InfiniteWidthKernel.of(Architecture.ntkVariances(phi, 3, 1.8, bias));
                for (Kind kind : Kind.values()) {
                    Tensor[] ref = new Tensor[2];
                    Tensor xf = x.to(DType.F32).to(DType.F64); // what F32 can represent (the tiny row becomes 0)
                    TestBackends.with("java", b -> {
                        ref[0] = JacobianKernel.of(k).compute(b, x, null, kind);
                        ref[1] = JacobianKernel.of(k).compute(b, xf, xf.slice(0, 3), kind);
                    });
                    InfiniteWidthKernelTest.assertSymmetricPsd(ref[0], phi + " " + kind + " bias " + bias);
                    TestBackends.with(backend, b -> {
                        Tensor got = JacobianKernel.of(k).compute(b, x, x.slice(0, 3), kind);
                        Tensor got32 = JacobianKernel.of(k).compute(b, x.to(DType.F32), x.slice(0, 3).to(DType.F32),
                                kind);
                        for (int r = 0; r < got.dim(0); r++) {
                            for (int c = 0; c < got.dim(1); c++) {
                                double want = ref[0].get(r, c);
                                double s = Math.max(1, Math.abs(want));
                                assertEquals(want, got.get(r, c), 1e-11 * s, phi + " " + kind);
                                double want32 = ref[1].get(r, c);
                                assertEquals(want32, got32.get(r, c), 2e-4 * Math.max(1, Math.abs(want32)),
                                        phi + " " + kind + " f32 at " + r + "," + c);
                            }
                        }
                    });
                }
            }
        }
    }
}
