package io.github.tangent4j.convex;

import io.github.tangent4j.linalg.Cholesky;
import io.github.tangent4j.linalg.SymmetricEigen;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The interior-point method's Newton system {@code (H + E^T A^T A E) x = b} over the groups' variables
 * x_k = (t_k, y_k) (m = d' + 1 each), with {@code H_k = W_k^-2 + E^T F_k E} (W_k a cone's NT scaling, F_k = X~^T
 * diag(lambda_k / s_k) X~) and E the selection of the y parts, solved in the N-space by the Woodbury identity:
 * <pre>
 *   x = H^-1 b - H^-1 E^T A^T S^-1 A E H^-1 b,   S = I + A C A^T (N x N),   C = blockdiag((H_k^-1)_yy) = L L^T
 * </pre>
 * S is formed on the backend ({@link ConeOperators#newtonMatrix}, GEMMs of N x K x N) and factored by Cholesky
 * on the host. The block inverses are computed as {@code H_k^-1 = W_k (I + W_k E^T F_k E W_k)^-1 W_k}, whose
 * middle factor is at least I: no cancellation where W_k^-2 is huge (a group at 0, late iterations). Every
 * solve is followed by one step of iterative refinement against the unfactored system, which
 * recovers the accuracy the Woodbury form loses when the blocks' inverses span many orders of magnitude (late
 * iterations).
 */
final class NewtonSystem {
    private final MaskedOperator op;
    private final int groups;
    private final int dims;
    private final int m;
    private final double[] inverseScalings;
    private final double[] grams;
    private final double[] inverses;
    private final HostCholesky newton;

    /**
     * Factors the system.
     *
     * @param scalings        the W_k, K m x m row-major
     * @param inverseScalings the W_k^-1, K m x m row-major (kept, not copied)
     * @param grams           the F_k, K d' x d' row-major (kept, not copied)
     * @param single          whether S's GEMMs run in single precision ({@link ConeOperators#newtonMatrix(double[],
     *                        boolean)}): S is then a preconditioner close to the system's, and the solves' iterative
     *                        refinement against the unfactored system (in double) makes up the difference
     * @throws IllegalArgumentException if S is not numerically positive definite
     */
    NewtonSystem(MaskedOperator op, ConeOperators cones, double[] scalings, double[] inverseScalings,
            double[] grams, boolean single) {
        this.op = op;
        this.groups = op.groups;
        this.dims = op.dims;
        this.m = dims + 1;
        this.inverseScalings = inverseScalings;
        this.grams = grams;
        this.inverses = new double[groups * m * m];
        double[] blocks = new double[groups * dims * dims];   // the C_k
        IntStream.range(0, groups).parallel().forEach(k -> invertBlock(k, scalings, blocks));   // independent
        double[] factors = columnFactors(cones, blocks, dims);
        this.newton = HostCholesky.of(cones.newtonMatrix(factors, single), op.n);
    }

    /** H_k^-1 = W_k (I + W_k E^T F_k E W_k)^-1 W_k into the inverses, and its y block C_k into blocks. */
    private void invertBlock(int k, double[] scalings, double[] blocks) {
        double[] middle = new double[m * m];
        double[] wf = new double[m * dims];
        double[] inv = new double[m * m];
        int wAt = k * m * m;
        int fAt = k * dims * dims;
        for (int i = 0; i < m; i++) {   // W F (the y columns of W times F)
            for (int b = 0; b < dims; b++) {
                double sum = 0;
                for (int a = 0; a < dims; a++) {
                    sum += scalings[wAt + i * m + 1 + a] * grams[fAt + a * dims + b];
                }
                wf[i * dims + b] = sum;
            }
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                double sum = i == j ? 1 : 0;
                for (int b = 0; b < dims; b++) {
                    sum += wf[i * dims + b] * scalings[wAt + (1 + b) * m + j];
                }
                middle[i * m + j] = sum;
            }
        }
        double[] mi = inverseAtLeastOne(middle, m);
        for (int i = 0; i < m; i++) {   // W Mi W
            for (int j = 0; j < m; j++) {
                double sum = 0;
                for (int p = 0; p < m; p++) {
                    double row = 0;
                    for (int q = 0; q < m; q++) {
                        row += mi[p * m + q] * scalings[wAt + q * m + j];
                    }
                    sum += scalings[wAt + i * m + p] * row;
                }
                inv[i * m + j] = sum;
            }
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                inverses[wAt + i * m + j] = 0.5 * (inv[i * m + j] + inv[j * m + i]);
            }
        }
        int cAt = k * dims * dims;
        for (int a = 0; a < dims; a++) {
            for (int b = 0; b < dims; b++) {
                blocks[cAt + a * dims + b] = inverses[wAt + (a + 1) * m + b + 1];
            }
        }
    }

    /**
     * Factors L_c with {@code L_c L_c^T = sum of C_k over the groups k of mask column c} (K' d' x d' row-major), for
     * {@link ConeOperators#newtonMatrix}, from the positive semidefinite C_k (K d' x d' row-major), by
     * eigendecomposition (eigenvalues rounded below 0 count as 0).
     */
    static double[] columnFactors(ConeOperators cones, double[] blocks, int dims) {
        int columns = cones.distinctColumns();
        int size = dims * dims;
        double[] merged = new double[columns * size];
        for (int k = 0; k < blocks.length / size; k++) {
            int at = cones.column(k) * size;
            for (int i = 0; i < size; i++) {
                merged[at + i] += blocks[k * size + i];
            }
        }
        double[] factors = new double[columns * size];
        IntStream.range(0, columns).parallel().forEach(col -> {   // independent per column
            int at = col * size;
            SymmetricEigen eig = SymmetricEigen.of(Arrays.copyOfRange(merged, at, at + size), dims);
            double[] values = eig.values();
            double[] vectors = eig.vectors();
            for (int a = 0; a < dims; a++) {
                for (int j = 0; j < dims; j++) {
                    factors[at + a * dims + j] = vectors[a * dims + j] * Math.sqrt(Math.max(values[j], 0));
                }
            }
        });
        return factors;
    }

    /**
     * The inverse of a symmetric matrix that is I plus a positive semidefinite one: by Cholesky, or where rounding
     * in a nearly singular huge positive semidefinite part makes that fail, by its eigendecomposition with the
     * eigenvalues held at >= 1.
     */
    private static double[] inverseAtLeastOne(double[] a, int m) {
        try {
            double[] identity = new double[m * m];
            for (int i = 0; i < m; i++) {
                identity[i * m + i] = 1;
            }
            return Cholesky.of(a, m).solve(identity, m);
        } catch (IllegalArgumentException notPositiveDefinite) {
            // below
        }
        SymmetricEigen eig = SymmetricEigen.of(a, m);
        double[] values = eig.values();
        double[] vectors = eig.vectors();
        double[] out = new double[m * m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                double sum = 0;
                for (int p = 0; p < m; p++) {
                    sum += vectors[i * m + p] * vectors[j * m + p] / Math.max(values[p], 1);
                }
                out[i * m + j] = sum;
            }
        }
        return out;
    }

    /** x with {@code (H + E^T A^T A E) x = b} (K m), refined once. */
    double[] solve(double[] b) {
        double[] x = woodbury(b);
        for (int round = 0; round < REFINEMENTS; round++) {
            double[] residual = b.clone();
            double[] hx = apply(x);
            for (int i = 0; i < residual.length; i++) {
                residual[i] -= hx[i];
            }
            double[] correction = woodbury(residual);
            for (int i = 0; i < x.length; i++) {
                x[i] += correction[i];
            }
        }
        return x;
    }

    /** Rounds of iterative refinement per solve (more were measured not to lengthen the method's last steps). */
    static final int REFINEMENTS = 1;

    /** {@code (W^-2 + E^T (F + A^T A) E) x}. */
    private double[] apply(double[] x) {
        double[] out = blockProduct(inverseScalings, blockProduct(inverseScalings, x));
        double[] y = parts(x, groups, dims);
        double[] ata = op.adjoint(op.apply(y));
        for (int k = 0; k < groups; k++) {
            for (int a = 0; a < dims; a++) {
                double sum = ata[k * dims + a];
                for (int b = 0; b < dims; b++) {
                    sum += grams[k * dims * dims + a * dims + b] * y[k * dims + b];
                }
                out[k * m + 1 + a] += sum;
            }
        }
        return out;
    }

    private double[] woodbury(double[] b) {
        double[] hb = blockProduct(inverses, b);
        double[] w = newton.solve(op.apply(parts(hb, groups, dims)));
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

    /** The y parts of x (K (d' + 1)): K d'. */
    static double[] parts(double[] x, int groups, int dims) {
        int m = dims + 1;
        double[] y = new double[groups * dims];
        for (int k = 0; k < groups; k++) {
            System.arraycopy(x, k * m + 1, y, k * dims, dims);
        }
        return y;
    }

    private double[] blockProduct(double[] matrices, double[] x) {
        return blockProduct(matrices, x, groups, m);
    }

    /** {@code M_k x_k} per group, for K m x m row-major matrices M and K m-vectors x. */
    static double[] blockProduct(double[] matrices, double[] x, int groups, int m) {
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
