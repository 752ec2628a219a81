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
 * backends: the cone slacks, the normals' adjoint, the per-group Gram blocks and the Woodbury Newton matrix.
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
                 ConeOperators cones = new ConeOperators(op, lifted, Tensor.of(signs, N, K))) {
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
}
