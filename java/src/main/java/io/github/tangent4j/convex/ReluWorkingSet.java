package io.github.tangent4j.convex;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.tensor.Tensor;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * The ReLU program solved on a working set of groups (screening, in the manner of the working-set
 * strategies for sparse group problems, e.g. Massias, Gramfort and Salmon, ICML 2018): the augmented
 * Lagrangian runs on the groups most likely to be active; the groups outside whose zero-multiplier dual
 * constraint {@code ||A_k^T theta|| <= beta_k} fails join the set (one adjoint of the full operator, two
 * GEMMs with the full mask) and the solve resumes warm. The certificate checks every group outside against
 * its exact constraint {@code min_{lambda >= 0} ||A_k^T theta - G_k^T lambda|| <= beta_k} ({@link ConeDual}),
 * so the final network and certificate are those of the whole program: the dual point is feasible for every
 * group. The dual returned is the best certified lower bound of the whole program seen over the rounds. A
 * small set has a smaller Lipschitz constant (a longer step) and cheaper iterations than the full program.
 */
final class ReluWorkingSet {
    /** Groups in the first working set beside the warm start's nonzero groups, and the least added per round. */
    static final int GROWTH = 64;
    /** The relative gap to which the first working set is solved before the other groups are checked. */
    static final double FIRST_TOLERANCE = 1e-2;
    /** Later sets are solved to this fraction of the full relative gap reached by the previous one. */
    static final double SET_TOLERANCE_FRACTION = 0.3;

    private ReluWorkingSet() {
    }

    /**
     * Solves the ReLU program over all groups of {@code full}.
     *
     * @param input        X~ (N, d')
     * @param mask         the full (scaled) mask (N, K), as uploaded into {@code full}
     * @param signs        the cone signs (N, K)
     * @param networkSigns the output sign over the scale per group (K)
     * @param penalties    beta_k per group (K)
     * @param warm         the start (K d')
     */
    static ProgramResult solve(Backend backend, MaskedOperator full, Tensor input, Tensor mask, Tensor signs,
            double[] target, double[] penalties, double[] networkSigns, double gramNorm, double[] warm,
            double tolerance, int maxIterations) {
        int groups = full.groups;
        int dims = full.dims;
        double[] y = warm.clone();
        boolean[] in = new boolean[groups];
        for (int k = 0; k < groups; k++) {
            in[k] = Vectors.groupNorm(y, k, dims) > 0;
        }
        ConeDual cone = new ConeDual(full, input, signs, penalties);
        double[] ratios = ratios(full, Vectors.minus(full.apply(y), target), penalties);
        add(in, ratios, GROWTH, true);
        int total = 0;
        double setTolerance = Math.max(tolerance, FIRST_TOLERANCE);
        double bestDual = Double.NEGATIVE_INFINITY;
        while (true) {
            int[] set = IntStream.range(0, groups).filter(k -> in[k]).toArray();
            if (set.length == groups) {
                setTolerance = tolerance;
            }
            ProgramResult r = solveOn(backend, full, set, input, mask, signs, target, penalties, networkSigns,
                    gramNorm, y, tolerance, setTolerance, maxIterations - total, cone);
            total += r.iterations();
            bestDual = Math.max(bestDual, r.dual());
            for (int a = 0; a < set.length; a++) {
                System.arraycopy(r.coefficients(), a * dims, y, set[a] * dims, dims);
            }
            double[] residual = Vectors.minus(full.apply(y), target);
            if (r.converged() || total >= maxIterations || set.length == groups) {
                if (!r.converged()) {
                    bestDual = Math.max(bestDual, cone.dual(residual, target));
                }
                return new ProgramResult(y, r.primal(), bestDual, total,
                        r.primal() - bestDual <= tolerance * Math.abs(r.primal()));
            }
            // the zero-multiplier test admits more groups per round than the exact one; the optimum here is
            // dense in groups (docs/convex.md), and the faster growth was measured to close the gap sooner
            ratios = ratios(full, residual, penalties);
            double[] rs = ratios;
            boolean violated = IntStream.range(0, groups).anyMatch(k -> !in[k] && rs[k] > 1);
            double gap = (r.primal() - bestDual) / Math.abs(r.primal());
            if (violated) {
                add(in, ratios, Math.max(GROWTH, set.length), false);
                setTolerance = Math.max(tolerance, Math.min(setTolerance, SET_TOLERANCE_FRACTION * gap));
            } else {
                setTolerance = Math.max(tolerance, 0.1 * setTolerance);
            }
        }
    }

    private static ProgramResult solveOn(Backend backend, MaskedOperator full, int[] set, Tensor input, Tensor mask,
            Tensor signs, double[] target, double[] penalties, double[] networkSigns, double gramNorm, double[] y,
            double tolerance, double setTolerance, int budget, ConeDual cone) {
        int dims = full.dims;
        double[] warm = new double[set.length * dims];
        for (int a = 0; a < set.length; a++) {
            System.arraycopy(y, set[a] * dims, warm, a * dims, dims);
        }
        boolean[] inside = new boolean[full.groups];
        for (int k : set) {
            inside[k] = true;
        }
        ProgramSolvers.Outside outside = new ProgramSolvers.Outside() {
            @Override
            public double worstRatio(double[] r) {
                return cone.worstRatio(r, 1, k -> !inside[k]);
            }

            @Override
            public double globalDual(double[] r) {
                return cone.dual(r, target);
            }

            @Override
            public boolean none() {
                return set.length == full.groups;
            }
        };
        try (MaskedOperator op = new MaskedOperator(backend, input, columns(mask, set))) {
            double lipschitz = op.lipschitz();
            double delta = gramNorm > 0 && lipschitz > 0 ? lipschitz / gramNorm : 1;
            try (ConePenalty penalty = new ConePenalty(op, columns(signs, set), target, delta)) {
                return ProgramSolvers.relu(op, penalty, target, pick(penalties, set), pick(networkSigns, set),
                        lipschitz, gramNorm, warm, tolerance, setTolerance, budget, outside);
            }
        }
    }

    /** {@code ||A_k^T r|| / beta_k} per group (0 for an infinite penalty). */
    private static double[] ratios(MaskedOperator full, double[] r, double[] penalties) {
        double[] h = full.adjoint(r);
        double[] out = new double[penalties.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = Double.isInfinite(penalties[k]) ? 0 : Vectors.groupNorm(h, k, full.dims) / penalties[k];
        }
        return out;
    }

    /**
     * Adds to the set up to {@code count} groups outside it with the largest ratios: those above 1 (violated
     * dual constraints), or with {@code any} the largest ones whatever their value.
     */
    private static void add(boolean[] in, double[] ratios, int count, boolean any) {
        Integer[] order = IntStream.range(0, in.length).filter(k -> !in[k] && ratios[k] > 0).boxed()
                .toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(k -> -ratios[k]));
        int added = 0;
        for (int k : order) {
            if (added == count || (!any && ratios[k] <= 1 && added > 0)) {
                break;
            }
            in[k] = true;
            added++;
        }
    }

    private static Tensor columns(Tensor m, int[] set) {
        long n = m.dim(0);
        long k = m.dim(1);
        Tensor out = Tensor.allocate(m.dtype(), n, set.length);
        for (long i = 0; i < n; i++) {
            for (int a = 0; a < set.length; a++) {
                out.setFlat(i * set.length + a, m.getFlat(i * k + set[a]));
            }
        }
        return out;
    }

    private static double[] pick(double[] v, int[] set) {
        double[] out = new double[set.length];
        for (int a = 0; a < set.length; a++) {
            out[a] = v[set[a]];
        }
        return out;
    }
}
