package io.github.tangent4j.convex;

import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.testing.Gaussian;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The interior-point method's GEMM operators against their definitions evaluated by plain loops, on both
 * backends: the cone slacks, the normals' adjoint, the per-group Gram blocks and the Woodbury Newton matrix (its
 * lower triangle, formed by row blocks, with the groups of one mask column up to sign merged).
 */
class ConeOperatorsTest {
    private static final int N = 9;
    private static final int D = 3;
    private static final int K = 4;

    @ParameterizedTest
    @MethodSource("io.github.tangent4j.convex.ConvexFitTest#backends")
    void operatorsMatchTheirDefinitions(String backend) {
        SplittableRandom rnd = new SplittableRandom(11);
        double[] x = Gaussian.matrix(1, N, D).toDoubleArray();
        double[] mask = Gaussian.matrix(2, N, K).toDoubleArray();
        double[] signs = new double[N * K];
        for (int i = 0; i < signs.length; i++) {
            signs[i] = rnd.nextBoolean() ? 1 : -1;
        }
        double[] y = Gaussian.matrix(3, K, D).toDoubleArray();
        double[] v = Gaussian.matrix(4, N, K).toDoubleArray();
        double[] w = Gaussian.matrix(5, N, K).toDoubleArray();
        double[] l = Gaussian.matrix(6, K * D, D).toDoubleArray();
        Tensor lifted = Tensor.of(x, N, D);
        TestBackends.with(backend, b -> {
            try (MaskedOperator op = new MaskedOperator(b, lifted, Tensor.of(mask, N, K));
                 ConeOperators cones = new ConeOperators(op, lifted, Tensor.of(signs, N, K), false)) {
                double[] slacks = cones.slacks(y);
                double[] adjoint = cones.normalsAdjoint(v);
                double[] grams = cones.gramBlocks(w);
                double[] newton = cones.newtonMatrix(l);
                for (int n = 0; n < N; n++) {
                    for (int k = 0; k < K; k++) {
                        double dot = 0;
                        for (int a = 0; a < D; a++) {
                            dot += x[n * D + a] * y[k * D + a];
                        }
                        assertEquals(signs[n * K + k] * dot, slacks[n * K + k], 1e-12, "slack");
                    }
                }
                for (int k = 0; k < K; k++) {
                    int c = 0;
                    for (int a = 0; a < D; a++) {
                        double sum = 0;
                        for (int n = 0; n < N; n++) {
                            sum += signs[n * K + k] * v[n * K + k] * x[n * D + a];
                        }
                        assertEquals(sum, adjoint[k * D + a], 1e-12, "normals' adjoint");
                        for (int bb = a; bb < D; bb++) {
                            double gram = 0;
                            for (int n = 0; n < N; n++) {
                                gram += w[n * K + k] * x[n * D + a] * x[n * D + bb];
                            }
                            assertEquals(gram, grams[c++ * K + k], 1e-12, "Gram block");
                        }
                    }
                }
                for (int i = 0; i < N; i++) {
                    for (int j = 0; j < N; j++) {
                        double sum = i == j ? 1 : 0;
                        for (int k = 0; k < K; k++) {
                            for (int q = 0; q < D; q++) {   // (A_k L_k)_{i q} (A_k L_k)_{j q}
                                double bi = 0;
                                double bj = 0;
                                for (int a = 0; a < D; a++) {
                                    bi += x[i * D + a] * l[k * D * D + a * D + q];
                                    bj += x[j * D + a] * l[k * D * D + a * D + q];
                                }
                                sum += mask[i * K + k] * bi * mask[j * K + k] * bj;
                            }
                        }
                        assertEquals(sum, newton[i * N + j], 1e-11, "Newton matrix");
                    }
                }
            }
        });
    }

    /**
     * With the ReLU program's mask [M, -M] (groups k and k + P share a column up to sign), the Newton matrix formed
     * from the merged per-column factors ({@link NewtonSystem#columnFactors}) over four row blocks (N = 1100) is
     * I + sum over all 2P groups of A_k C_k A_k^T, in its lower triangle; formed in single precision, the same to
     * float rounding (1e-4 against entries of about 10 here, where a wrong term would be off by about 1).
     */
    @ParameterizedTest
    @MethodSource("io.github.tangent4j.convex.ConvexFitTest#backends")
    void pairedColumnsAndRowBlocksGiveTheNewtonMatrix(String backend) {
        int n = 1100;
        int p = 3;
        int k2 = 2 * p;
        double[] x = Gaussian.matrix(7, n, D).toDoubleArray();
        double[] half = Gaussian.matrix(8, n, p).toDoubleArray();
        double[] mask = new double[n * k2];
        double[] signs = new double[n * k2];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < p; k++) {
                mask[i * k2 + k] = half[i * p + k];
                mask[i * k2 + p + k] = -half[i * p + k];
                signs[i * k2 + k] = 1;
                signs[i * k2 + p + k] = 1;
            }
        }
        double[] factors = Gaussian.matrix(9, k2 * D, D).toDoubleArray();
        double[] blocks = new double[k2 * D * D];   // C_k = F_k F_k^T, positive semidefinite
        for (int k = 0; k < k2; k++) {
            for (int a = 0; a < D; a++) {
                for (int b = 0; b < D; b++) {
                    double sum = 0;
                    for (int q = 0; q < D; q++) {
                        sum += factors[k * D * D + a * D + q] * factors[k * D * D + b * D + q];
                    }
                    blocks[k * D * D + a * D + b] = sum;
                }
            }
        }
        Tensor lifted = Tensor.of(x, n, D);
        TestBackends.with(backend, b -> {
            try (MaskedOperator op = new MaskedOperator(b, lifted, Tensor.of(mask, n, k2));
                 ConeOperators cones = new ConeOperators(op, lifted, Tensor.of(signs, n, k2), true)) {
                assertEquals(p, cones.distinctColumns());
                for (int k = 0; k < p; k++) {
                    assertEquals(cones.column(k), cones.column(k + p), "group " + k + " and its pair");
                }
                double[] l = NewtonSystem.columnFactors(cones, blocks, D);
                for (boolean single : new boolean[] {false, true}) {
                    double[] newton = cones.newtonMatrix(l, single);
                    SplittableRandom rnd = new SplittableRandom(12);
                    for (int t = 0; t < 400; t++) {   // sampled entries of the lower triangle, diagonal and block edges
                        int i = t < 8 ? new int[] {0, 274, 275, 549, 550, 824, 825, 1099}[t] : rnd.nextInt(n);
                        int j = t < 8 ? i : rnd.nextInt(i + 1);
                        double sum = i == j ? 1 : 0;
                        for (int k = 0; k < k2; k++) {
                            for (int a = 0; a < D; a++) {
                                for (int c = 0; c < D; c++) {
                                    sum += mask[i * k2 + k] * x[i * D + a] * blocks[k * D * D + a * D + c]
                                            * mask[j * k2 + k] * x[j * D + c];
                                }
                            }
                        }
                        assertEquals(sum, newton[i * n + j], (single ? 1e-4 : 1e-11) * Math.max(1, Math.abs(sum)),
                                (single ? "single " : "") + "S[" + i + "," + j + "]");
                    }
                }
            }
        });
    }
}
