package io.github.tangent4j.convex;

import io.github.tangent4j.linalg.Cholesky;
import io.github.tangent4j.linalg.SymmetricEigen;

/**
 * The interior-point method's Newton system {@code (H + E^T A^T A E) x = b} over the groups' variables
 * x_k = (t_k, y_k) (m = d' + 1 each), with H = blockdiag(H_k) (m x m, positive definite) and E the selection of the
 * y parts, solved in the N-space by the Woodbury identity:
 * <pre>
 *   x = H^-1 b - H^-1 E^T A^T S^-1 A E H^-1 b,   S = I + A C A^T (N x N),   C = blockdiag((H_k^-1)_yy) = L L^T
 * </pre>
 * S is formed on the backend ({@link ConeOperators#newtonMatrix}, GEMMs of N x K x N) and factored by Cholesky
 * on the host; every solve is followed by one step of iterative refinement against the unfactored system, which
 * recovers the accuracy the Woodbury form loses when the blocks' inverses span many orders of magnitude (late
 * iterations).
 */
final class NewtonSystem {
    private final MaskedOperator op;
    private final int groups;
    private final int dims;
    private final int m;
    private final double[] blocks;
    private final double[] inverses;
    private final Cholesky newton;

    /**
     * Factors the system.
     *
     * @param blocks the H_k, K m x m row-major (kept, not copied)
     * @throws IllegalArgumentException if a block or S is not numerically positive definite
     */
    NewtonSystem(MaskedOperator op, ConeOperators cones, double[] blocks) {
        this.op = op;
        this.groups = op.groups;
        this.dims = op.dims;
        this.m = dims + 1;
        this.blocks = blocks;
        this.inverses = new double[groups * m * m];
        double[] identity = new double[m * m];
        for (int i = 0; i < m; i++) {
            identity[i * m + i] = 1;
        }
        double[] factors = new double[groups * dims * dims];
        double[] c = new double[dims * dims];
        for (int k = 0; k < groups; k++) {
            double[] h = java.util.Arrays.copyOfRange(blocks, k * m * m, (k + 1) * m * m);
            double[] inv = Cholesky.of(h, m).solve(identity, m);
            System.arraycopy(inv, 0, inverses, k * m * m, m * m);
            for (int a = 0; a < dims; a++) {
                for (int b = 0; b < dims; b++) {
                    c[a * dims + b] = 0.5 * (inv[(a + 1) * m + b + 1] + inv[(b + 1) * m + a + 1]);
                }
            }
            SymmetricEigen eig = SymmetricEigen.of(c, dims);
            double[] values = eig.values();
            double[] vectors = eig.vectors();
            for (int a = 0; a < dims; a++) {
                for (int j = 0; j < dims; j++) {
                    factors[k * dims * dims + a * dims + j] = vectors[a * dims + j] * Math.sqrt(Math.max(values[j], 0));
                }
            }
        }
        this.newton = Cholesky.of(cones.newtonMatrix(factors), op.n);
    }

    /** x with {@code (H + E^T A^T A E) x = b} (K m), refined once. */
    double[] solve(double[] b) {
        double[] x = woodbury(b);
        double[] residual = b.clone();
        double[] hx = apply(x);
        for (int i = 0; i < residual.length; i++) {
            residual[i] -= hx[i];
        }
        double[] correction = woodbury(residual);
        for (int i = 0; i < x.length; i++) {
            x[i] += correction[i];
        }
        return x;
    }

    /** {@code (H + E^T A^T A E) x}. */
    private double[] apply(double[] x) {
        double[] out = blockProduct(blocks, x);
        double[] ata = op.adjoint(op.apply(parts(x)));
        for (int k = 0; k < groups; k++) {
            for (int a = 0; a < dims; a++) {
                out[k * m + 1 + a] += ata[k * dims + a];
            }
        }
        return out;
    }

    private double[] woodbury(double[] b) {
        double[] hb = blockProduct(inverses, b);
        double[] w = newton.solve(op.apply(parts(hb)), 1);
        double[] g = op.adjoint(w);
        double[] lifted = new double[groups * m];
        for (int k = 0; k < groups; k++) {
            System.arraycopy(g, k * dims, lifted, k * m + 1, dims);
        }
        double[] correction = blockProduct(inverses, lifted);
        for (int i = 0; i < hb.length; i++) {
            hb[i] -= correction[i];
        }
        return hb;
    }

    /** The y parts of x (K d'). */
    private double[] parts(double[] x) {
        double[] y = new double[groups * dims];
        for (int k = 0; k < groups; k++) {
            System.arraycopy(x, k * m + 1, y, k * dims, dims);
        }
        return y;
    }

    private double[] blockProduct(double[] matrices, double[] x) {
        double[] out = new double[groups * m];
        for (int k = 0; k < groups; k++) {
            int base = k * m * m;
            for (int i = 0; i < m; i++) {
                double sum = 0;
                for (int j = 0; j < m; j++) {
                    sum += matrices[base + i * m + j] * x[k * m + j];
                }
                out[k * m + i] = sum;
            }
        }
        return out;
    }
}
