package io.github.tangent4j.convex;

/**
 * The two solvers of the convex programs, for one output and one beta, warm-started from given coefficients:
 * FISTA for the group lasso (gated program, dictionary Lasso) and the augmented-Lagrangian method for the
 * ReLU program. Both stop on the duality gap relative to the objective.
 */
final class ProgramSolvers {
    /** Inner FISTA iterations per augmented-Lagrangian step, at most. */
    static final int INNER_ITERATIONS = 1500;
    private static final double MAX_DELTA_GROWTH = 5;

    private ProgramSolvers() {
    }

    /** FISTA on {@code 1/2 ||A Y - y||^2 + sum_k beta_k ||y_k||}. */
    static ProgramResult groupLasso(MaskedOperator op, double[] target, double[] penalties, double lipschitz,
            double[] warm, double tolerance, int maxIterations) {
        double[] y = warm.clone();
        double[][] certificate = new double[1][];
        GroupFista.Check check = x -> {
            certificate[0] = certify(op, target, penalties, x);
            return gapMet(certificate[0], tolerance);
        };
        int iterations = GroupFista.minimise(coef -> op.adjoint(residual(op, coef, target)), penalties, op.dims,
                lipschitz, y, maxIterations, 0, check);
        double[] c = certify(op, target, penalties, y);
        return new ProgramResult(y, c[0], c[1], iterations, gapMet(c, tolerance));
    }

    /** The whole program seen from a working set of its groups, for a residual. */
    interface Outside {
        /**
         * An upper bound on the largest {@code min_lambda ||A_k^T r - G_k^T lambda|| / beta_k} over the groups
         * outside (0 when none).
         */
        double worstRatio(double[] r);

        /** A certified lower bound on the whole program's optimum from the residual r ({@link ConeDual#dual}). */
        double globalDual(double[] r);

        /** Whether no group is outside (the program is the whole program). */
        boolean none();
    }

    /**
     * The share of a solve's time the exact dual of the whole program ({@link Outside#globalDual}) may take:
     * it is evaluated at a check only while its time so far is below this share of the time elapsed.
     */
    static final double GLOBAL_DUAL_SHARE = 0.25;

    /**
     * The augmented-Lagrangian method (method of multipliers) on the ReLU program: FISTA on the AL's smooth
     * part for fixed multipliers, to a relative step that tightens from 1e-4 by 0.3 per round, then the
     * multiplier update. The penalty delta stays fixed (the multipliers enforce the constraints; a growing
     * delta shrinks FISTA's step and was measured to stall the primal). The primal value is that of the
     * ReLU network {@code sum_k s_k relu(X~ y_k)}, so the gap certifies a real network even where a
     * constraint is still slightly violated. The certificate is evaluated every
     * {@link GroupFista#CHECK_EVERY} inner iterations (one more gradient and one network output).
     *
     * @param signs      the output sign s_k of each group (+1 for v_i, -1 for w_i)
     * @param lipschitz  the Lipschitz constant of the data term's gradient
     * @param gramNorm   the largest eigenvalue of X~^T X~ (the penalty's Lipschitz constant over delta)
     * @param outside    the groups left out of this program (a working set), or null: the dual point is
     *                   also scaled to satisfy their constraints, the exact dual of the whole program is
     *                   evaluated within {@link #GLOBAL_DUAL_SHARE} of the time (and the solve stops as soon
     *                   as it certifies the tolerance), and the solve stops, not converged, as soon as the gap
     *                   is met on the program but not with them; the dual returned is then the best lower
     *                   bound of the whole program seen
     */
    static ProgramResult relu(MaskedOperator op, ConePenalty penalty, double[] target, double[] penalties,
            double[] signs, double lipschitz, double gramNorm, double[] warm, double tolerance, int maxIterations,
            Outside outside) {
        return relu(op, penalty, target, penalties, signs, lipschitz, gramNorm, warm, tolerance, tolerance,
                maxIterations, outside);
    }

    /**
     * As {@link #relu(MaskedOperator, ConePenalty, double[], double[], double[], double, double, double[], double,
     * int, Outside)}, but with the groups outside checked only once the program's own relative gap is below
     * {@code programTolerance} (>= tolerance): a working set is solved loosely while it may still grow.
     */
    static ProgramResult relu(MaskedOperator op, ConePenalty penalty, double[] target, double[] penalties,
            double[] signs, double lipschitz, double gramNorm, double[] warm, double tolerance,
            double programTolerance, int maxIterations, Outside outside) {
        double[] y = warm.clone();
        ReluCertificate certificate = new ReluCertificate(op, penalty, target, penalties, signs, tolerance,
                programTolerance, outside);
        int total = 0;
        double innerTolerance = 1e-4;
        while (total < maxIterations) {
            double step = 1.05 * (lipschitz + penalty.delta() * gramNorm);
            total += GroupFista.minimise(penalty::gradient, penalties, op.dims, step, y,
                    Math.min(INNER_ITERATIONS, maxIterations - total), innerTolerance, certificate);
            if (certificate.finished() || certificate.done(y)) {
                break;
            }
            penalty.updateMultipliers();   // the last gradient was at y
            innerTolerance = Math.max(0.3 * innerTolerance, 1e-13);
        }
        return new ProgramResult(y, certificate.primal, certificate.dual, total, certificate.converged);
    }

    /** The ReLU program's certificate at an iterate; remembers the last values and why it stopped. */
    private static final class ReluCertificate implements GroupFista.Check {
        private final MaskedOperator op;
        private final ConePenalty penalty;
        private final double[] target;
        private final double[] penalties;
        private final double[] signs;
        private final double tolerance;
        private final double programTolerance;
        private final Outside outside;
        double primal = Double.NaN;
        double dual = Double.NaN;
        boolean converged;
        private boolean stopped;
        private double globalDual = Double.NEGATIVE_INFINITY;
        private final long start = System.nanoTime();
        private long globalNanos;

        ReluCertificate(MaskedOperator op, ConePenalty penalty, double[] target, double[] penalties, double[] signs,
                double tolerance, double programTolerance, Outside outside) {
            this.programTolerance = programTolerance;
            this.op = op;
            this.penalty = penalty;
            this.target = target;
            this.penalties = penalties;
            this.signs = signs;
            this.tolerance = tolerance;
            this.outside = outside;
        }

        boolean finished() {
            return stopped;
        }

        @Override
        public boolean done(double[] y) {
            double[] h = penalty.gradient(y);
            double[] r = penalty.residual();
            double[] network = Vectors.minus(op.reluNetwork(y, signs), target);
            primal = DualityGap.primal(network, y, penalties, op.dims);
            dual = DualityGap.dual(r, target, h, penalties, op.dims);
            if (outside != null && globalNanos <= GLOBAL_DUAL_SHARE * (System.nanoTime() - start)) {
                long t = System.nanoTime();
                globalDual = Math.max(globalDual, outside.globalDual(r));
                globalNanos += System.nanoTime() - t;
                if (primal - globalDual <= tolerance * Math.abs(primal)) {
                    dual = globalDual;
                    stopped = true;
                    converged = true;
                    return true;
                }
            }
            if (primal - dual > programTolerance * Math.abs(primal)) {
                if (outside != null) {   // the program's own dual bounds the whole program only without groups outside
                    dual = outside.none() ? Math.max(globalDual, dual) : globalDual;
                }
                return false;
            }
            stopped = true;
            if (outside != null) {
                double worst = outside.worstRatio(r);
                dual = Math.max(globalDual, DualityGap.dual(r, target, h, penalties, op.dims,
                        worst > 0 ? 1 / worst : Double.POSITIVE_INFINITY));
            }
            converged = primal - dual <= tolerance * Math.abs(primal);
            return true;
        }
    }

    private static double[] residual(MaskedOperator op, double[] coefficients, double[] target) {
        return Vectors.minus(op.apply(coefficients), target);
    }

    /** {primal, dual} at the coefficients, without constraints. */
    private static double[] certify(MaskedOperator op, double[] target, double[] penalties, double[] coefficients) {
        double[] r = residual(op, coefficients, target);
        double[] h = op.adjoint(r);
        return new double[] {DualityGap.primal(r, coefficients, penalties, op.dims),
                DualityGap.dual(r, target, h, penalties, op.dims)};
    }

    private static boolean gapMet(double[] certificate, double tolerance) {
        return certificate[0] - certificate[1] <= tolerance * Math.abs(certificate[0]);
    }
}
