package io.github.tangent4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Architecture;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The posterior against a direct solve, and the gradient-descent predictor against integrating its ODE. */
class KernelPredictorTest {
    /** K(X, X), K(X*, X), K(X*, X*) of the erf NTK on random data (N = 8 train, M = 3 test, D = 4). */
    static Tensor[] kernels() {
        Tensor x = InfiniteWidthKernelTest.randomInputs(11, 8, 4);
        Tensor xs = InfiniteWidthKernelTest.randomInputs(12, 3, 4);
        Tensor[] k = new Tensor[3];
        TestBackends.with("java", b -> {
            InfiniteWidthKernel kern = InfiniteWidthKernel.of(Architecture.ntkVariances(Activation.ERF, 2, 1.5, 0.1));
            k[0] = kern.compute(b, x, null).outputNtk();
            k[1] = kern.compute(b, xs, x).outputNtk();
            k[2] = kern.compute(b, xs, null).outputNtk();
        });
        return k;
    }

    static Tensor targets(int n, int o) {
        Tensor y = o == 0 ? Tensor.allocate(DType.F64, n) : Tensor.allocate(DType.F64, n, o);
        for (long i = 0; i < y.size(); i++) {
            y.setFlat(i, Math.sin(1.3 * i + 0.2));
        }
        return y;
    }

    /** Gauss-Jordan elimination with partial pivoting: A^{-1} B, the test's own solver. */
    static double[][] solve(double[][] a, double[][] b) {
        int n = a.length;
        int c = b[0].length;
        double[][] m = new double[n][n + c];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], 0, m[i], 0, n);
            System.arraycopy(b[i], 0, m[i], n, c);
        }
        for (int col = 0; col < n; col++) {
            int piv = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(m[r][col]) > Math.abs(m[piv][col])) {
                    piv = r;
                }
            }
            double[] t = m[col];
            m[col] = m[piv];
            m[piv] = t;
            for (int r = 0; r < n; r++) {
                if (r != col) {
                    double f = m[r][col] / m[col][col];
                    for (int k = col; k < n + c; k++) {
                        m[r][k] -= f * m[col][k];
                    }
                }
            }
        }
        double[][] x = new double[n][c];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < c; k++) {
                x[i][k] = m[i][n + k] / m[i][i];
            }
        }
        return x;
    }

    static double[][] matrix(Tensor t) {
        int r = (int) t.dim(0);
        int c = t.rank() == 1 ? 1 : (int) t.dim(1);
        double[][] m = new double[r][c];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                m[i][j] = t.getFlat((long) i * c + j);
            }
        }
        return m;
    }

    @Test
    void posteriorEqualsADirectSolve() {
        Tensor[] k = kernels();
        Tensor y = targets(8, 2);
        double reg = 0.01;
        KernelPredictor.Posterior p = KernelPredictor.posterior(k[0], k[1], k[2], y, reg);
        double[][] a = matrix(k[0]);
        for (int i = 0; i < 8; i++) {
            a[i][i] += reg;
        }
        double[][] ks = matrix(k[1]);
        double[][] alpha = solve(a, matrix(y)); // (N, O)
        double[][] ksT = new double[8][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 8; j++) {
                ksT[j][i] = ks[i][j];
            }
        }
        double[][] beta = solve(a, ksT); // (N, M)
        assertArrayEquals(new long[] {3, 2}, p.mean().shape());
        for (int i = 0; i < 3; i++) {
            for (int o = 0; o < 2; o++) {
                double want = 0;
                for (int r = 0; r < 8; r++) {
                    want += ks[i][r] * alpha[r][o];
                }
                assertEquals(want, p.mean().get(i, o), 1e-10 * Math.max(1, Math.abs(want)));
            }
            for (int j = 0; j < 3; j++) {
                double want = k[2].get(i, j);
                for (int r = 0; r < 8; r++) {
                    want -= ks[i][r] * beta[r][j];
                }
                assertEquals(want, p.covariance().get(i, j), 1e-10 * Math.max(1, k[2].get(i, i)));
            }
        }
        assertEquals(null, KernelPredictor.posterior(k[0], k[1], null, y, reg).covariance());
    }

    @Test
    void gradientDescentFollowsItsOdeAndConvergesToTheInfiniteTimePredictor() {
        Tensor[] k = kernels();
        Tensor y = targets(8, 0);
        double[] times = {0, 0.3, 2, 1e7, Double.POSITIVE_INFINITY};
        Tensor gd = KernelPredictor.gradientDescent(k[0], k[1], y, 0, times);
        assertArrayEquals(new long[] {5, 3}, gd.shape());
        // RK4 integration of df(X)/dt = -K (f(X) - Y), df(X*)/dt = -Ks (f(X) - Y) from 0
        double[][] kk = matrix(k[0]);
        double[][] ks = matrix(k[1]);
        double[] yy = y.toDoubleArray();
        double[] state = new double[8 + 3];
        double h = 1e-3;
        double t = 0;
        for (int target = 0; target < 3; target++) {
            while (t < times[target] - 1e-12) {
                double[] k1 = rhs(kk, ks, yy, state);
                double[] k2 = rhs(kk, ks, yy, axpy(state, h / 2, k1));
                double[] k3 = rhs(kk, ks, yy, axpy(state, h / 2, k2));
                double[] k4 = rhs(kk, ks, yy, axpy(state, h, k3));
                for (int i = 0; i < state.length; i++) {
                    state[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
                }
                t += h;
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(state[8 + i], gd.get(target, i), 1e-9, "t = " + times[target] + " point " + i);
            }
        }
        Tensor mean = KernelPredictor.posterior(k[0], k[1], null, y, 0).mean();
        for (int i = 0; i < 3; i++) {
            assertEquals(mean.get(i), gd.get(4, i), 1e-9 * Math.max(1, Math.abs(mean.get(i))));
            assertEquals(gd.get(4, i), gd.get(3, i), 1e-9 * Math.max(1, Math.abs(mean.get(i))));
        }
    }

    static double[] rhs(double[][] kk, double[][] ks, double[] y, double[] s) {
        double[] d = new double[s.length];
        for (int i = 0; i < 8; i++) {
            for (int j = 0; j < 8; j++) {
                d[i] -= kk[i][j] * (s[j] - y[j]);
            }
        }
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 8; j++) {
                d[8 + i] -= ks[i][j] * (s[j] - y[j]);
            }
        }
        return d;
    }

    static double[] axpy(double[] x, double a, double[] y) {
        double[] r = x.clone();
        for (int i = 0; i < r.length; i++) {
            r[i] += a * y[i];
        }
        return r;
    }

    @Test
    void multipleOutputsAreSolvedColumnByColumn() {
        Tensor[] k = kernels();
        Tensor y2 = targets(8, 2);
        Tensor both = KernelPredictor.gradientDescent(k[0], k[1], y2, 1e-3, new double[] {1.5});
        assertArrayEquals(new long[] {1, 3, 2}, both.shape());
        for (int o = 0; o < 2; o++) {
            Tensor col = Tensor.allocate(DType.F64, 8);
            for (int i = 0; i < 8; i++) {
                col.setFlat(i, y2.get(i, o));
            }
            Tensor one = KernelPredictor.gradientDescent(k[0], k[1], col, 1e-3, new double[] {1.5});
            for (int i = 0; i < 3; i++) {
                assertEquals(one.get(0, i), both.get(0, i, o), 1e-12);
            }
        }
    }

    @Test
    void badArgumentsAreNamed() {
        Tensor[] k = kernels();
        Tensor y = targets(8, 0);
        assertMessage("y:", () -> KernelPredictor.posterior(k[0], k[1], null, targets(7, 0), 0));
        assertMessage("kTestTrain:", () -> KernelPredictor.posterior(k[0], k[0].slice(0, 3).reshape(8, 3), null, y, 0));
        assertMessage("reg:", () -> KernelPredictor.posterior(k[0], k[1], null, y, -1));
        assertMessage("times:", () -> KernelPredictor.gradientDescent(k[0], k[1], y, 0, new double[] {1, -1}));
        Tensor singular = Tensor.allocate(DType.F64, 8, 8);
        assertMessage("kTrain:", () -> KernelPredictor.posterior(singular, k[1], null, y, 0));
    }

    static void assertMessage(String prefix, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().startsWith(prefix), ex.getMessage());
    }
}
