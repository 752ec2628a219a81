package io.github.tangent4j.convex;

import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The crossover's active-set method against cvxopt's optimum of the ReLU program, from faces chosen wrong on
 * purpose: every group nonzero at a random point of its cone (so most groups must leave, and rows must be
 * released and added), every group at 0 (so the groups must enter by the exact dual check), and the optimum's
 * groups on faces one row too small (so that row's negative multiplier must release it). The result is
 * certified by the exact dual ({@link ConeDual}), independently of the method.
 */
class FaceActiveSetTest {
    @ParameterizedTest
    @MethodSource("io.github.tangent4j.convex.ConvexFitTest#backends")
    void reachesTheOptimumFromWrongFaces(String backend) {
        for (String name : List.of("relu_1d", "relu_2d")) {
            Map<String, Tensor> f = ConvexFitTest.fixture(name);
            double beta = f.get("beta").getFlat(0);
            double reference = f.get("relu").getFlat(0);
            Tensor lifted = Lifted.of(f.get("x"), true);
            double[] target = f.get("y").toDoubleArray();
            ConeDualTest.Program program = new ConeDualTest.Program(ConvexFitTest.patterns(f), lifted, beta);
            TestBackends.with(backend, b -> {
                try (MaskedOperator op = new MaskedOperator(b, lifted, program.mask)) {
                    ConeDual exact = new ConeDual(op, lifted, program.signs, program.penalties);
                    double[] optimum = null;
                    for (String start : List.of("from 0", "from every group nonzero", "from a face too small")) {
                        String what = name + " " + start;
                        double[] y0 = new double[op.groups * op.dims];
                        List<List<Integer>> active = switch (start) {
                            case "from 0" -> new ArrayList<>(java.util.Collections.nCopies(op.groups, null));
                            case "from every group nonzero" -> randomFaces(op, exact, y0);
                            default -> faceTooSmall(op, exact, optimum, y0);
                        };
                        double[] y = FaceActiveSet.solve(op, exact, target, program.penalties, y0, active);
                        optimum = optimum == null ? y : optimum;
                        assertCertifiedOptimum(op, exact, target, beta, reference, y, what);
                    }
                }
            });
        }
    }

    private static void assertCertifiedOptimum(MaskedOperator op, ConeDual exact, double[] target, double beta,
            double reference, double[] y, String what) {
        double[] r = Vectors.minus(op.apply(y), target);
        double value = 0.5 * Vectors.dot(r, r);
        for (int k = 0; k < op.groups; k++) {
            value += beta * Vectors.groupNorm(y, k, op.dims);
            double[] g = exact.normals(k);
            for (int i = 0; i < op.n; i++) {
                assertTrue(rowTimes(g, i, y, k, op.dims) >= -1e-10, what + ": group " + k + " leaves its cone at row " + i);
            }
        }
        double dual = exact.dual(r, target);
        assertTrue(value - dual <= 1e-9 * value, what + ": gap " + (value - dual));
        assertTrue(dual <= reference + 1e-9, what + ": dual " + dual + " above " + reference);
        // cvxopt's objective is its own primal, above the optimum by up to its gap (about 1e-8)
        assertEquals(reference, value, 2e-8 * reference, what + " objective");
    }

    private static double rowTimes(double[] g, int i, double[] y, int k, int dims) {
        double s = 0;
        for (int a = 0; a < dims; a++) {
            s += g[i * dims + a] * y[k * dims + a];
        }
        return s;
    }

    /**
     * The optimum's nonzero groups, each whose face has at least two free directions with one more working row:
     * the inactive row nearest to the optimum's point, whose multiplier on that face is negative (the optimum
     * leaves it); the start is the optimum (the method projects it onto the faces). At least one such group.
     */
    private static List<List<Integer>> faceTooSmall(MaskedOperator op, ConeDual exact, double[] optimum,
            double[] start) {
        List<List<Integer>> active = new ArrayList<>();
        int tightened = 0;
        for (int k = 0; k < op.groups; k++) {
            double norm = Vectors.groupNorm(optimum, k, op.dims);
            if (norm == 0) {
                active.add(null);
                continue;
            }
            double[] g = exact.normals(k);
            List<Integer> rows = new ArrayList<>();
            int nearest = -1;
            double nearestValue = Double.POSITIVE_INFINITY;
            double[] rowsGram = new double[op.dims * op.dims];
            for (int i = 0; i < op.n; i++) {
                double rowNorm = Math.sqrt(rowTimes(g, i, g, i, op.dims));
                double v = rowTimes(g, i, optimum, k, op.dims) / (rowNorm * norm);
                if (v <= 1e-9) {
                    rows.add(i);
                    for (int a = 0; a < op.dims; a++) {
                        for (int b = 0; b < op.dims; b++) {
                            rowsGram[a * op.dims + b] += g[i * op.dims + a] * g[i * op.dims + b];
                        }
                    }
                } else if (v < nearestValue) {
                    nearestValue = v;
                    nearest = i;
                }
            }
            double[] values = io.github.tangent4j.linalg.SymmetricEigen.of(rowsGram, op.dims).values();
            long free = java.util.Arrays.stream(values).filter(v -> v <= 1e-9 * values[op.dims - 1]).count();
            if (free >= 2 && nearest >= 0) {
                rows.add(nearest);
                tightened++;
            }
            System.arraycopy(optimum, k * op.dims, start, k * op.dims, op.dims);
            active.add(rows);
        }
        assertTrue(tightened > 0, "no group of the optimum has a face of two free directions");
        return active;
    }

    /**
     * Every group at the projection of a random vector onto its cone, its working rows those that projection
     * holds with equality (mostly not the optimum's face, and mostly a group that is 0 at the optimum).
     */
    private static List<List<Integer>> randomFaces(MaskedOperator op, ConeDual exact, double[] start) {
        SplittableRandom rnd = new SplittableRandom(5);
        double[] h = new double[op.groups * op.dims];
        for (int i = 0; i < h.length; i++) {
            h[i] = rnd.nextGaussian();
        }
        List<List<Integer>> active = new ArrayList<>();
        for (int k = 0; k < op.groups; k++) {
            double[] p = exact.steepestFeasible(h, k);
            double norm = Math.sqrt(Vectors.dot(p, p));
            double[] g = exact.normals(k);
            List<Integer> rows = new ArrayList<>();
            for (int i = 0; i < op.n; i++) {
                double gp = 0;
                for (int a = 0; a < op.dims; a++) {
                    gp += g[i * op.dims + a] * p[a];
                }
                if (Math.abs(gp) <= 1e-9 * norm) {
                    rows.add(i);
                }
            }
            System.arraycopy(p, 0, start, k * op.dims, op.dims);
            active.add(norm > 0 ? rows : null);
        }
        return active;
    }
}
