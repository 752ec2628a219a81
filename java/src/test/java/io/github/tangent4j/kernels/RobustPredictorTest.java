package io.github.tangent4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Architecture;
import io.github.tangent4j.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The robust-training predictor against integrating its ODE, and its lambda -> 0 limit. */
class RobustPredictorTest {
    static final Tensor X = Tensor.of(new double[][] {{0.9, -0.4}, {-0.3, 1.2}, {0.2, 0.1}, {-1.0, -0.6}});
    static final Tensor XT = Tensor.of(new double[][] {{0.5, 0.5}, {-0.2, 0.9}, {0.9, -0.4}});
    static final Tensor Y = Tensor.of(new double[] {0.7, -0.3, 0.2, 1.1}, 4);

    @Test
    void followsTheOdeOfJacobianRegularisedGradientFlow() {
        for (Activation phi : List.of(Activation.ERF, Activation.RELU)) {
            TestBackends.with("java", b -> {
                InfiniteWidthKernel k = InfiniteWidthKernel.of(Architecture.ntkVariances(phi, 2, 1.5, 0.1));
                double lambda = 0.3;
                double[] times = {0.4, 1.5, 1e7, Double.POSITIVE_INFINITY};
                Tensor got = RobustPredictor.predict(b, k, X, Y, XT, lambda, times);
                assertArrayEquals(new long[] {4, 3}, got.shape());
                JacobianKernel jk = JacobianKernel.of(k);
                double[][] th = KernelPredictorTest.matrix(jk.compute(b, X, null, JacobianKernel.Kind.NTK));
                double[][] cross = KernelPredictorTest.matrix(jk.compute(b, XT, X, JacobianKernel.Kind.NTK));
                int size = th.length; // 12
                double[] zStar = new double[size];
                double[] weight = new double[size];
                for (int r = 0; r < size; r++) {
                    zStar[r] = r % 3 == 0 ? Y.get(r / 3) : 0;
                    weight[r] = r % 3 == 0 ? 1 : lambda;
                }
                // RK4 on (z, f(XT)): dz/dt = -Th Lambda (z - z*), df/dt = -Cross_f Lambda (z - z*)
                double[] state = new double[size + 3];
                double h = 1e-3;
                double t = 0;
                for (int target = 0; target < 2; target++) {
                    while (t < times[target] - 1e-12) {
                        double[] k1 = rhs(th, cross, zStar, weight, state);
                        double[] k2 = rhs(th, cross, zStar, weight, KernelPredictorTest.axpy(state, h / 2, k1));
                        double[] k3 = rhs(th, cross, zStar, weight, KernelPredictorTest.axpy(state, h / 2, k2));
                        double[] k4 = rhs(th, cross, zStar, weight, KernelPredictorTest.axpy(state, h, k3));
                        for (int i = 0; i < state.length; i++) {
                            state[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
                        }
                        t += h;
                    }
                    for (int i = 0; i < 3; i++) {
                        assertEquals(state[size + i], got.get(target, i), 1e-9, phi + " t " + times[target]);
                    }
                }
                for (int i = 0; i < 3; i++) {
                    assertEquals(got.get(3, i), got.get(2, i), 1e-8 * Math.max(1, Math.abs(got.get(3, i))));
                }
            });
        }
    }

    static double[] rhs(double[][] th, double[][] cross, double[] zStar, double[] weight, double[] s) {
        int size = zStar.length;
        double[] r = new double[size];
        for (int j = 0; j < size; j++) {
            r[j] = weight[j] * (s[j] - zStar[j]);
        }
        double[] d = new double[s.length];
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                d[i] -= th[i][j] * r[j];
            }
        }
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < size; j++) {
                d[size + i] -= cross[3 * i][j] * r[j];
            }
        }
        return d;
    }

    /**
     * At finite t. (At t = inf every lambda > 0 gives the same limit, z = z*: the penalised loss reaches
     * 0 with f(X) = Y and df/dx(X) = 0, so the t = inf predictor jumps at lambda = 0.)
     */
    @Test
    void approachesThePlainNtkPredictorAsLambdaVanishes() {
        for (Activation phi : List.of(Activation.ERF, Activation.RELU, Activation.ABS)) {
            TestBackends.with("java", b -> {
                InfiniteWidthKernel k = InfiniteWidthKernel.of(Architecture.ntkVariances(phi, 3, 2, 0.1));
                double[] times = {0.7, 5};
                Tensor plain = KernelPredictor.gradientDescent(k.compute(b, X, null).outputNtk(),
                        k.compute(b, XT, X).outputNtk(), Y, 0, times);
                Tensor zero = RobustPredictor.predict(b, k, X, Y, XT, 0, times);
                double previous = Double.POSITIVE_INFINITY;
                for (double lambda : new double[] {1e-2, 1e-4, 1e-6}) {
                    Tensor r = RobustPredictor.predict(b, k, X, Y, XT, lambda, times);
                    double diff = 0;
                    for (long e = 0; e < plain.size(); e++) {
                        assertEquals(plain.getFlat(e), zero.getFlat(e), 1e-9 * Math.max(1, Math.abs(plain.getFlat(e))));
                        diff = Math.max(diff, Math.abs(r.getFlat(e) - plain.getFlat(e)));
                    }
                    assertTrue(diff < previous && diff < 100 * lambda, phi + " lambda " + lambda + ": " + diff);
                    previous = diff;
                }
            });
        }
    }

    /** At t = inf the training outputs reach z* whatever lambda > 0: the prediction does not depend on lambda. */
    @Test
    void infiniteTimeLimitDoesNotDependOnLambda() {
        TestBackends.with("java", b -> {
            InfiniteWidthKernel k = InfiniteWidthKernel.of(Architecture.ntkVariances(Activation.ERF, 2, 1.5, 0.1));
            double[] inf = {Double.POSITIVE_INFINITY};
            Tensor a = RobustPredictor.predict(b, k, X, Y, XT, 0.05, inf);
            Tensor c = RobustPredictor.predict(b, k, X, Y, XT, 20, inf);
            for (long e = 0; e < a.size(); e++) {
                assertEquals(a.getFlat(e), c.getFlat(e), 1e-7 * Math.max(1, Math.abs(a.getFlat(e))));
            }
            assertEquals(Y.get(0), a.get(0, 2), 1e-8); // the third test point is the first training point
        });
    }

    @Test
    void badArgumentsAreNamed() {
        Tensor th = Tensor.allocate(io.github.tangent4j.tensor.DType.F64, 12, 12);
        Tensor cross = Tensor.allocate(io.github.tangent4j.tensor.DType.F64, 3, 12);
        double[] t = {1};
        KernelPredictorTest.assertMessage("lambda:", () -> RobustPredictor.predict(th, cross, Y, 2, -1, t));
        KernelPredictorTest.assertMessage("thetaTrain:", () -> RobustPredictor.predict(th, cross, Y, 3, 1, t));
        KernelPredictorTest.assertMessage("times:", () -> RobustPredictor.predict(th, cross, Y, 2, 1,
                new double[] {Double.NaN}));
        assertThrows(IllegalArgumentException.class, () -> RobustPredictor.predict(th, cross.slice(0, 2).reshape(2, 12),
                Y.slice(0, 3), 2, 1, t));
    }
}
