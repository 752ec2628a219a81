package io.github.tangent4j.convex;

import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exact dual of the ReLU program (every group's constraint with its best multipliers) against cvxopt's
 * optimum: a lower bound at any residual, and tight at the residual of the certified network.
 */
class ConeDualTest {
    static List<String> backends() {
        return TestBackends.names();
    }

    /**
     * Each group's ratio against the norm of the projection of {@code -A_k^T r} onto the cone
     * {@code {z : G_k z >= 0}} (Moreau), found by brute force in d' = 3: the closest feasible point among
     * the projections of the point onto the subspaces where at most two constraints are tight.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void ratiosAreTheConeProjectionNorms(String backend) {
        Map<String, Tensor> f = ConvexFitTest.fixture("relu_2d");
        Tensor lifted = Lifted.of(f.get("x"), true);
        double[] x = lifted.toDoubleArray();
        double[] y = f.get("y").toDoubleArray();
        int n = y.length;
        double beta = 0.05;
        Program program = new Program(ConvexFitTest.patterns(f), lifted, beta);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        TestBackends.with(backend, b -> {
            try (MaskedOperator op = new MaskedOperator(b, lifted, program.mask)) {
                ConeDual cone = new ConeDual(op, lifted, program.signs, program.penalties);
                for (int trial = 0; trial < 5; trial++) {
                    double[] r = new double[n];
                    for (int i = 0; i < n; i++) {
                        r[i] = trial == 0 ? -y[i] : rnd.nextGaussian();
                    }
                    double[] ratios = cone.ratios(r, 0, k -> true);
                    double worstEven = 0;
                    for (int k = 0; k < program.groups; k++) {
                        double[] normals = new double[n * 3];
                        double[] g = new double[3];
                        for (int i = 0; i < n; i++) {
                            double s = program.signs.getFlat((long) i * program.groups + k);
                            double m = program.mask.getFlat((long) i * program.groups + k);
                            for (int a = 0; a < 3; a++) {
                                normals[i * 3 + a] = s * x[i * 3 + a];
                                g[a] -= m * r[i] * x[i * 3 + a];
                            }
                        }
                        double expected = projectionNorm(normals, n, g);
                        assertEquals(expected, ratios[k] * beta, 1e-9 * (1 + expected), "group " + k + " trial " + trial);
                        worstEven = k % 2 == 0 ? Math.max(worstEven, expected / beta) : worstEven;
                    }
                    assertEquals(worstEven, cone.worstRatio(r, 0, k -> k % 2 == 0), 1e-9 * (1 + worstEven));
                }
            }
        });
    }

    private static double projectionNorm(double[] normals, int n, double[] g) {
        double best = Vectors.dot(g, g);   // the apex, z = 0
        double norm = 0;
        for (int first = -1; first < n; first++) {
            for (int second = first; second < n; second++) {
                int[] tight = first < 0 ? new int[0] : second == first ? new int[] {first} : new int[] {first, second};
                double[] coef = tight.length == 0 ? new double[0] : NonNegativeLeastSquaresTest.solve(normals, 3, tight, g);
                if (coef == null) {
                    continue;
                }
                double[] z = g.clone();
                for (int a = 0; a < tight.length; a++) {
                    for (int j = 0; j < 3; j++) {
                        z[j] -= coef[a] * normals[tight[a] * 3 + j];
                    }
                }
                boolean feasible = true;
                for (int i = 0; i < n; i++) {
                    feasible &= normals[i * 3] * z[0] + normals[i * 3 + 1] * z[1] + normals[i * 3 + 2] * z[2] >= -1e-12;
                }
                double dist = Vectors.dot(Vectors.minus(z, g), Vectors.minus(z, g));
                if (feasible && dist < best) {
                    best = dist;
                    norm = Math.sqrt(Vectors.dot(z, z));
                }
            }
        }
        return norm;
    }

    /** The unscaled ReLU program's data: mask [D, -D], signs [2D - 1, 2D - 1], penalties beta. */
    static final class Program {
        final Tensor mask;
        final Tensor signs;
        final double[] penalties;
        final int groups;

        Program(PatternSet set, Tensor lifted, double beta) {
            Tensor d = set.mask(lifted.dtype());
            int n = Math.toIntExact(d.dim(0));
            int p = Math.toIntExact(d.dim(1));
            groups = 2 * p;
            mask = Tensor.allocate(lifted.dtype(), n, groups);
            signs = Tensor.allocate(lifted.dtype(), n, groups);
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < p; k++) {
                    double v = d.getFlat((long) i * p + k);
                    mask.setFlat((long) i * groups + k, v);
                    mask.setFlat((long) i * groups + p + k, -v);
                    signs.setFlat((long) i * groups + k, 2 * v - 1);
                    signs.setFlat((long) i * groups + p + k, 2 * v - 1);
                }
            }
            penalties = new double[groups];
            java.util.Arrays.fill(penalties, beta);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void boundsTheOptimumAndIsTightAtTheSolution(String backend) {
        for (String name : List.of("relu_1d", "relu_2d")) {
            Map<String, Tensor> f = ConvexFitTest.fixture(name);
            double beta = f.get("beta").getFlat(0);
            double reference = f.get("relu").getFlat(0);
            Tensor x = f.get("x");
            double[] y = f.get("y").toDoubleArray();
            TestBackends.with(backend, b -> {
                ConvexSolution s = ConvexFit.relu(ConvexFitTest.patterns(f)).withBias(true).withTolerance(1e-8)
                        .fit(b, x, f.get("y"), beta).getFirst();
                double[] out = s.network().forward(b, x).toDoubleArray();
                Tensor lifted = Lifted.of(x, true);
                Program program = new Program(ConvexFitTest.patterns(f), lifted, beta);
                int n = y.length;
                try (MaskedOperator op = new MaskedOperator(b, lifted, program.mask)) {
                    ConeDual cone = new ConeDual(op, lifted, program.signs, program.penalties);
                    double atSolution = cone.dual(Vectors.minus(out, y), y);
                    assertTrue(atSolution <= reference + 1e-9, name + " dual " + atSolution + " above " + reference);
                    assertTrue(atSolution >= reference - 1e-5 * reference, name + " dual " + atSolution
                            + " not tight at the solution, optimum " + reference);
                    double[] zero = new double[n];
                    double atZero = cone.dual(Vectors.minus(zero, y), y);
                    assertTrue(atZero <= reference + 1e-9 && atZero >= 0, name + " dual at 0: " + atZero);
                    // multipliers only help: never below the zero-multiplier bound at the same residual
                    double[] r = Vectors.minus(out, y);
                    double[] h = op.adjoint(r);
                    assertTrue(atSolution >= DualityGap.dual(r, y, h, program.penalties, op.dims) - 1e-12, name);
                }
            });
        }
    }
}
