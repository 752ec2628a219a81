package io.github.tangent4j.convex;

import io.github.tangent4j.tensor.Tensor;

import java.util.Arrays;
import java.util.Comparator;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * The ReLU program's dual constraints checked exactly, group by group, over every group of the program.
 * Group k's constraint is {@code min_{lambda >= 0} ||A_k^T theta - G_k^T lambda|| <= beta_k}, where the rows
 * of G_k are the cone's normals {@code (2 D_k - 1)_i x~_i} (Pilanci and Ergen 2020, the dual of eq. (8)):
 * the norm of the projection of {@code -A_k^T theta} onto the cone {@code {z : G_k z >= 0}} (Moreau). The
 * minimum over lambda is a non-negative least-squares problem of d' equations
 * ({@link NonNegativeLeastSquares}), whose every feasible lambda gives an upper bound, so the dual values
 * below are certified lower bounds whatever the rounding of the solve.
 *
 * <p>The zero-multiplier norm {@code ||A_k^T theta||} (one adjoint of the full operator for all groups) bounds
 * each ratio from above; the least-squares problem is solved only for the groups whose bound could decide
 * the result, largest bound first.
 */
final class ConeDual {
    private final MaskedOperator full;
    private final double[] lifted;
    private final Tensor signs;
    private final double[] penalties;

    /**
     * @param full      the program's operator over all K groups
     * @param input     X~ (N, d')
     * @param signs     the cone signs {@code 2 D - 1} (N, K)
     * @param penalties beta_k (K; infinite for a group held at 0)
     */
    ConeDual(MaskedOperator full, Tensor input, Tensor signs, double[] penalties) {
        this.full = full;
        this.lifted = input.toDoubleArray();
        this.signs = signs;
        this.penalties = penalties;
    }

    /**
     * The dual value {@code -1/2 ||theta||^2 - theta.y} at {@code theta = s r}, with s the largest scale at
     * which every group's constraint holds, capped by the maximiser {@code -r.y / ||r||^2} of the value.
     *
     * @param r the residual of a primal point, A Y - y (N)
     * @param y the targets (N)
     */
    double dual(double[] r, double[] y) {
        double rr = Vectors.dot(r, r);
        double ry = Vectors.dot(r, y);
        if (rr == 0 || ry >= 0) {
            return 0;
        }
        double worst = rr / -ry;   // 1 / the value's maximiser
        double[] h = full.adjoint(r);
        double s = 1 / worstExact(h, zeroMultiplierRatios(h), worst, k -> true);
        return -0.5 * s * s * rr - s * ry;
    }

    /**
     * Per group, an upper bound on the ratio {@code min_lambda ||A_k^T r - G_k^T lambda|| / beta_k}: exact where it
     * exceeds {@code floor} and {@code consider} holds, else at most floor or the zero-multiplier bound (the
     * least-squares solve stops once the ratio is known to be at most floor).
     */
    double[] ratios(double[] r, double floor, IntPredicate consider) {
        double[] h = full.adjoint(r);
        double[] out = zeroMultiplierRatios(h);
        IntStream.range(0, out.length).parallel().filter(k -> out[k] > floor && consider.test(k))
                .forEach(k -> out[k] = exactRatio(h, k, floor));
        return out;
    }

    /**
     * An upper bound on the largest ratio {@code min_lambda ||A_k^T r - G_k^T lambda|| / beta_k} over the
     * groups where {@code consider} holds: exact where it exceeds {@code floor}, else at most floor (0 when
     * no group is considered).
     */
    double worstRatio(double[] r, double floor, IntPredicate consider) {
        double[] h = full.adjoint(r);
        double[] bounds = zeroMultiplierRatios(h);
        double worst = 0;
        for (int k = 0; k < bounds.length; k++) {
            if (consider.test(k)) {
                worst = Math.max(worst, Math.min(bounds[k], floor));
            }
        }
        return worstExact(h, bounds, worst, consider);
    }

    /**
     * The largest of {@code worst} and the exact ratios of the groups where {@code consider} holds, given their
     * upper bounds: the least-squares problems are solved largest bound first, in batches of a few per core run
     * in parallel, each solved until it is known not to exceed the largest ratio found before its batch; once
     * the next bound is at most that ratio, no group left can exceed it. The value does not depend on the
     * batching: a problem is stopped early only where its ratio cannot be the largest.
     */
    private double worstExact(double[] h, double[] bounds, double worst, IntPredicate consider) {
        int[] order = byDecreasing(bounds, worst);
        int batch = 4 * Runtime.getRuntime().availableProcessors();
        for (int from = 0; from < order.length && bounds[order[from]] > worst; from += batch) {
            double floor = worst;
            worst = Math.max(worst, Arrays.stream(order, from, Math.min(order.length, from + batch)).parallel()
                    .filter(k -> bounds[k] > floor && consider.test(k))
                    .mapToDouble(k -> exactRatio(h, k, floor)).max().orElse(floor));
        }
        return worst;
    }

    private double[] zeroMultiplierRatios(double[] h) {
        double[] out = new double[penalties.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = Double.isInfinite(penalties[k]) ? 0 : Vectors.groupNorm(h, k, full.dims) / penalties[k];
        }
        return out;
    }

    private static int[] byDecreasing(double[] bounds, double above) {
        Integer[] order = IntStream.range(0, bounds.length).filter(k -> bounds[k] > above).boxed()
                .toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(k -> -bounds[k]));
        return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
    }

    /**
     * Group k's ratio, solved until it is known to be at most {@code enough} (then an upper bound at most
     * enough is returned: the caller only needs to know it does not exceed that).
     */
    private double exactRatio(double[] h, int k, double enough) {
        double[] res = NonNegativeLeastSquares.residual(normals(k), full.n, group(h, k), enough * penalties[k]);
        return Math.sqrt(Vectors.dot(res, res)) / penalties[k];
    }

    /**
     * Group k's rows of G_k (N x d' row-major): the cone's normals {@code (2 D_k - 1)_i x~_i}.
     */
    double[] normals(int k) {
        int dims = full.dims;
        int n = full.n;
        int groups = full.groups;
        double[] normals = new double[n * dims];
        for (int i = 0; i < n; i++) {
            double s = signs.getFlat((long) i * groups + k);
            for (int a = 0; a < dims; a++) {
                normals[i * dims + a] = s * lifted[i * dims + a];
            }
        }
        return normals;
    }

    /**
     * The projection of {@code -h_k} onto group k's cone {@code {z : G_k z >= 0}} (d'), for the adjoint
     * {@code h = A^T r} (K d'): the group's steepest feasible descent direction at 0, whose norm is the ratio's
     * numerator (Moreau: it is minus the least-squares residual).
     */
    double[] steepestFeasible(double[] h, int k) {
        double[] res = NonNegativeLeastSquares.residual(normals(k), full.n, group(h, k));
        Vectors.scale(res, -1);
        return res;
    }

    private double[] group(double[] h, int k) {
        return Arrays.copyOfRange(h, k * full.dims, (k + 1) * full.dims);
    }
}
