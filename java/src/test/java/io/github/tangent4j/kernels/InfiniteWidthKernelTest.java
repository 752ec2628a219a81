package io.github.tangent4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.linalg.SymmetricEigen;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Architecture;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.testing.Gaussian;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Exact identities, symmetry/PSD, degenerate inputs and backend agreement of the NNGP and NTK. */
class InfiniteWidthKernelTest {
    static final List<Activation> ACTIVATIONS = List.of(Activation.RELU, Activation.leakyRelu(0.2), Activation.ABS,
            Activation.ERF, Activation.IDENTITY);

    static Tensor randomInputs(long seed, int n, int d) {
        return Gaussian.matrix(seed, n, d);
    }

    static double[] row(Tensor x, long i) {
        double[] r = new double[(int) x.dim(1)];
        for (int j = 0; j < r.length; j++) {
            r[j] = x.get(i, j);
        }
        return r;
    }

    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void depthZeroIsTheLinearModel(String backend) {
        TestBackends.with(backend, b -> {
            Tensor x = randomInputs(1, 5, 7);
            Tensor x2 = randomInputs(2, 3, 7);
            for (Activation phi : ACTIVATIONS) {
                InfiniteWidthKernel.Result r = InfiniteWidthKernel.of(Architecture.ntkVariances(phi, 0, 1.7, 0.3)).compute(b, x, x2);
                for (int i = 0; i < 5; i++) {
                    for (int j = 0; j < 3; j++) {
                        double want = 1.7 * WideNetworks.dot(row(x, i), row(x2, j)) / 7 + 0.3;
                        assertEquals(want, r.outputNngp().get(i, j), 1e-13 * Math.max(1, Math.abs(want)));
                        assertEquals(want, r.outputNtk().get(i, j), 1e-13 * Math.max(1, Math.abs(want)));
                    }
                }
            }
        });
    }

    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void identityActivationGivesTheLinearNetworkKernels(String backend) {
        TestBackends.with(backend, b -> {
            Tensor x = randomInputs(3, 4, 6);
            double s = 1.3;
            double bb = 0.2;
            int depth = 3;
            InfiniteWidthKernel.Result r = InfiniteWidthKernel.of(Architecture.ntkVariances(Activation.IDENTITY, depth, s, bb)).withEveryLayer(true).compute(b, x,
                    null);
            assertEquals(depth + 1, r.nngp().size());
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    double k = s * WideNetworks.dot(row(x, i), row(x, j)) / 6 + bb;
                    double t = k;
                    for (int l = 0; l <= depth; l++) {
                        if (l > 0) {
                            k = s * k + bb;
                            t = k + s * t;
                        }
                        assertEquals(k, r.nngp().get(l).get(i, j), 1e-12 * Math.abs(k), "nngp layer " + l);
                        assertEquals(t, r.ntk().get(l).get(i, j), 1e-12 * Math.abs(t), "ntk layer " + l);
                    }
                }
            }
        });
    }

    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void reluDiagonalFollowsHalfTheWeightVariance(String backend) {
        TestBackends.with(backend, b -> {
            Tensor x = randomInputs(4, 6, 5);
            double s = 2.3;
            double bb = 0.4;
            int depth = 4;
            InfiniteWidthKernel k = InfiniteWidthKernel.of(Architecture.ntkVariances(Activation.RELU, depth, s, bb));
            InfiniteWidthKernel.Result full = k.withEveryLayer(true).compute(b, x, null);
            InfiniteWidthKernel.Result diag = k.withEveryLayer(true).diagonal(b, x);
            for (int i = 0; i < 6; i++) {
                double q = s * WideNetworks.dot(row(x, i), row(x, i)) / 5 + bb;
                double t = q;
                for (int l = 0; l <= depth; l++) {
                    if (l > 0) {
                        q = s / 2 * q + bb;
                        t = q + s / 2 * t; // E[relu'(u)^2] = 1/2
                    }
                    assertEquals(q, full.nngp().get(l).get(i, i), 1e-13 * q);
                    assertEquals(q, diag.nngp().get(l).get(i), 1e-13 * q);
                    assertEquals(t, full.ntk().get(l).get(i, i), 1e-13 * t);
                    assertEquals(t, diag.ntk().get(l).get(i), 1e-13 * t);
                }
            }
        });
    }

    /** The diagonal entry point agrees with the diagonal of the full matrix for every activation. */
    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void diagonalAgreesWithFullMatrix(String backend) {
        TestBackends.with(backend, b -> {
            Tensor x = randomInputs(5, 7, 4);
            for (Activation phi : ACTIVATIONS) {
                InfiniteWidthKernel k = InfiniteWidthKernel.of(Architecture.ntkVariances(phi, 3, 1.6, 0.1));
                InfiniteWidthKernel.Result full = k.compute(b, x, null);
                InfiniteWidthKernel.Result diag = k.diagonal(b, x);
                for (int i = 0; i < 7; i++) {
                    assertEquals(full.outputNngp().get(i, i), diag.outputNngp().get(i), 1e-13, phi + " nngp " + i);
                    assertEquals(full.outputNtk().get(i, i), diag.outputNtk().get(i), 1e-13, phi + " ntk " + i);
                }
            }
        });
    }

    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void kernelsAreSymmetricPositiveSemidefinite(String backend) {
        TestBackends.with(backend, b -> {
            Tensor x = withDegenerateRows(randomInputs(6, 24, 5));
            for (Activation phi : ACTIVATIONS) {
                for (double bias : new double[] {0, 0.5}) {
                    InfiniteWidthKernel.Result r = InfiniteWidthKernel.of(Architecture.ntkVariances(phi, 3, 2, bias)).withEveryLayer(true).compute(b, x, null);
                    for (Tensor t : concat(r.nngp(), r.ntk())) {
                        assertSymmetricPsd(t, phi + " bias " + bias);
                    }
                }
            }
        });
    }

    /** Appends a duplicate, a positive and a negative multiple of row 0, a zero row and a tiny row. */
    static Tensor withDegenerateRows(Tensor x) {
        int n = (int) x.dim(0);
        int d = (int) x.dim(1);
        Tensor y = Tensor.allocate(DType.F64, n + 5, d);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                y.set(x.get(i, j), i, j);
            }
        }
        for (int j = 0; j < d; j++) {
            y.set(x.get(0, j), n, j);
            y.set(3 * x.get(0, j), n + 1, j);
            y.set(-0.5 * x.get(0, j), n + 2, j);
            y.set(0, n + 3, j);
            y.set(1e-150 * x.get(1, j), n + 4, j);
        }
        return y;
    }

    static List<Tensor> concat(List<Tensor> a, List<Tensor> b) {
        java.util.ArrayList<Tensor> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    static void assertSymmetricPsd(Tensor t, String what) {
        int n = (int) t.dim(0);
        double[] a = t.toDoubleArray();
        double max = 0;
        for (double v : a) {
            assertTrue(Double.isFinite(v), what + ": non-finite entry " + v);
            max = Math.max(max, Math.abs(v));
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                assertEquals(a[i * n + j], a[j * n + i], 1e-13 * max, what + ": asymmetric at " + i + "," + j);
            }
        }
        double[] ev = SymmetricEigen.of(a, n).values();
        assertTrue(ev[0] >= -1e-10 * ev[n - 1], what + ": smallest eigenvalue " + ev[0] + ", largest " + ev[n - 1]);
    }

    /** Duplicated, collinear and zero inputs: no NaN, duplicates give the self-kernel, zero input exact. */
    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void degenerateInputsAreFiniteAndExact(String backend) {
        TestBackends.with(backend, b -> {
            Tensor x = withDegenerateRows(randomInputs(7, 4, 3));
            for (Activation phi : ACTIVATIONS) {
                for (double bias : new double[] {0, 0.5}) {
                    InfiniteWidthKernel k = InfiniteWidthKernel.of(Architecture.ntkVariances(phi, 3, 2, bias));
                    InfiniteWidthKernel.Result r = k.compute(b, x, null);
                    Tensor kk = r.outputNngp();
                    Tensor tt = r.outputNtk();
                    for (long i = 0; i < kk.size(); i++) {
                        assertTrue(Double.isFinite(kk.getFlat(i)) && Double.isFinite(tt.getFlat(i)), phi + " " + i);
                    }
                    // row 4 duplicates row 0
                    assertEquals(kk.get(0, 0), kk.get(0, 4), 1e-12 * kk.get(0, 0), phi + " duplicate");
                    assertEquals(tt.get(0, 0), tt.get(0, 4), 1e-7 * tt.get(0, 0), phi + " duplicate ntk");
                    if (bias == 0) {
                        // the zero input (row 7) has a zero kernel with everything when there are no biases
                        for (int j = 0; j < kk.dim(1); j++) {
                            assertEquals(0, kk.get(7, j), 0.0, phi + " zero input");
                            assertEquals(0, tt.get(7, j), 0.0, phi + " zero input ntk");
                        }
                    }
                }
            }
        });
    }

    /** Positively homogeneous activations without biases: K(c x, x') = c K(x, x') for c > 0 (the collinear pair). */
    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void reluFamilyIsHomogeneousWithoutBiases(String backend) {
        TestBackends.with(backend, b -> {
            Tensor x = withDegenerateRows(randomInputs(8, 4, 3));
            for (Activation phi : List.of(Activation.RELU, Activation.leakyRelu(0.2), Activation.ABS)) {
                InfiniteWidthKernel.Result r = InfiniteWidthKernel.of(Architecture.ntkVariances(phi, 3, 2, 0)).compute(b, x, null);
                for (int j = 0; j < x.dim(0); j++) {
                    assertEquals(3 * r.outputNngp().get(0, j), r.outputNngp().get(5, j),
                            1e-12 * r.outputNngp().get(0, 0), phi + " " + j);
                    assertEquals(3 * r.outputNtk().get(0, j), r.outputNtk().get(5, j),
                            1e-7 * r.outputNtk().get(0, 0), phi + " ntk " + j);
                }
            }
        });
    }

    /**
     * K(X, X) computed from the blocks on and below the diagonal ({@link SymmetricBlocks}: N = 45 gives six
     * blocks of 8 rows) equals the general path's K(X, X2) with X2 a copy of X, for every layer, and is
     * exactly symmetric; on the emulated device also with 24 KiB of memory, where the rows come in several
     * tiles and each tile's transpose lands in earlier tiles' rows.
     */
    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void symmetricBlocksEqualTheGeneralPath(String backend) {
        Tensor x64 = randomInputs(21, 45, 6);
        for (DType dtype : List.of(DType.F64, DType.F32)) {
            Tensor x = x64.to(dtype);
            double tol = dtype == DType.F64 ? 1e-13 : 1e-5;
            for (Activation phi : List.of(Activation.RELU, Activation.ERF)) {
                InfiniteWidthKernel k = InfiniteWidthKernel.of(Architecture.ntkVariances(phi, 2, 1.5, 0.2))
                        .withEveryLayer(true);
                for (boolean smallMemory : new boolean[] {false, true}) {
                    if (smallMemory && !backend.equals("cuda")) {
                        continue;
                    }
                    TestBackends.with(backend, b -> {
                        InfiniteWidthKernel.Result general = k.compute(b, x, x.copy());
                        if (smallMemory) {
                            io.github.tangent4j.backend.cuda.Emu.setMemoryBudget(24 << 10);
                        }
                        InfiniteWidthKernel.Result symmetric = k.compute(b, x, null);
                        for (int l = 0; l <= 2; l++) {
                            for (Tensor[] pair : new Tensor[][] {{general.nngp().get(l), symmetric.nngp().get(l)},
                                    {general.ntk().get(l), symmetric.ntk().get(l)}}) {
                                for (int i = 0; i < 45; i++) {
                                    for (int j = 0; j < 45; j++) {
                                        double g = pair[0].get(i, j);
                                        String at = backend + " " + dtype + " " + phi + " layer " + l + " (" + i + ", "
                                                + j + ")" + (smallMemory ? " in small tiles" : "");
                                        assertEquals(g, pair[1].get(i, j), tol * Math.max(1, Math.abs(g)), at);
                                        assertEquals(pair[1].get(j, i), pair[1].get(i, j), 0, at + " symmetric");
                                    }
                                }
                            }
                        }
                    });
                }
            }
        }
    }

    /** F32 inputs give the F64 result to float precision, on each backend; the backends agree. */
    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void dtypesAndBackendsAgree(String backend) {
        Tensor x = randomInputs(9, 9, 6);
        Tensor x2 = randomInputs(10, 5, 6);
        for (Activation phi : ACTIVATIONS) {
            InfiniteWidthKernel k = InfiniteWidthKernel.of(Architecture.ntkVariances(phi, 2, 1.5, 0.2));
            Tensor[] ref = new Tensor[2];
            TestBackends.with("java", b -> {
                InfiniteWidthKernel.Result r = k.compute(b, x, x2);
                ref[0] = r.outputNngp();
                ref[1] = r.outputNtk();
            });
            TestBackends.with(backend, b -> {
                InfiniteWidthKernel.Result r64 = k.compute(b, x, x2);
                InfiniteWidthKernel.Result r32 = k.compute(b, x.to(DType.F32), x2.to(DType.F32));
                assertEquals(DType.F32, r32.outputNngp().dtype());
                for (long i = 0; i < ref[0].size(); i++) {
                    double s = Math.max(1, Math.abs(ref[0].getFlat(i)));
                    assertEquals(ref[0].getFlat(i), r64.outputNngp().getFlat(i), 1e-12 * s);
                    assertEquals(ref[0].getFlat(i), r32.outputNngp().getFlat(i), 1e-5 * s);
                    double t = Math.max(1, Math.abs(ref[1].getFlat(i)));
                    assertEquals(ref[1].getFlat(i), r64.outputNtk().getFlat(i), 1e-12 * t);
                    assertEquals(ref[1].getFlat(i), r32.outputNtk().getFlat(i), 1e-5 * t);
                }
            });
        }
    }

    @Test
    void badArgumentsAreNamed() {
        assertThrows(IllegalArgumentException.class, () -> InfiniteWidthKernel.of(Architecture.ntkVariances(Activation.TANH, 1, 1, 0)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InfiniteWidthKernel.of(Architecture.ntkVariances(Activation.RELU, -1, 1, 0)));
        assertTrue(e.getMessage().startsWith("depth"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> InfiniteWidthKernel.of(Architecture.ntkVariances(Activation.RELU, 1, -1, 0)));
        assertTrue(e.getMessage().startsWith("sigmaW2"), e.getMessage());
        TestBackends.with("java", b -> {
            InfiniteWidthKernel k = InfiniteWidthKernel.of(Architecture.ntkVariances(Activation.RELU, 1, 1, 0));
            IllegalArgumentException w = assertThrows(IllegalArgumentException.class,
                    () -> k.withGet(InfiniteWidthKernel.Get.NNGP).compute(b, randomInputs(1, 2, 3), randomInputs(1, 2, 4)));
            assertTrue(w.getMessage().startsWith("x2"), w.getMessage());
            Tensor bad = randomInputs(1, 2, 3);
            bad.setFlat(4, Double.NaN);
            w = assertThrows(IllegalArgumentException.class, () -> k.withGet(InfiniteWidthKernel.Get.NNGP).compute(b, bad, null));
            assertTrue(w.getMessage().startsWith("x:"), w.getMessage());
        });
    }
}
