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

    /**
     * The augmented-Lagrangian method (method of multipliers) on the ReLU program: FISTA on the AL's smooth
     * part for fixed multipliers, to a relative step that tightens from 1e-4 by 0.3 per round, then the
     * multiplier update. The penalty delta stays fixed (the multipliers enforce the constraints; a growing
     * delta shrinks FISTA's step and was measured to stall the primal). The primal value is that of the ReLU network {@code sum_k s_k relu(X~ y_k)}, so
     * the gap certifies a real network even where a constraint is still slightly violated.
     *
     * @param signs      the output sign s_k of each group (+1 for v_i, -1 for w_i)
     * @param lipschitz  the Lipschitz constant of the data term's gradient
     * @param gramNorm   the largest eigenvalue of X~^T X~ (the penalty's Lipschitz constant over delta)
     */
    static ProgramResult relu(MaskedOperator op, ConePenalty penalty, double[] target, double[] penalties,
            double[] signs, double lipschitz, double gramNorm, double[] warm, double tolerance, int maxIterations) {
        double[] y = warm.clone();
        int total = 0;
        double innerTolerance = 1e-4;
        double primal = Double.NaN;
        double dual = Double.NaN;
        boolean converged = false;
        while (total < maxIterations) {
            double step = 1.05 * (lipschitz + penalty.delta() * gramNorm);
            total += GroupFista.minimise(penalty::gradient, penalties, op.dims, step, y,
                    Math.min(INNER_ITERATIONS, maxIterations - total), innerTolerance, null);
            double[] h = penalty.gradient(y);
            dual = DualityGap.dual(penalty.residual(), target, h, penalties, op.dims);
            double[] r = Vectors.minus(op.reluNetwork(y, signs), target);
            primal = DualityGap.primal(r, y, penalties, op.dims);
            if (primal - dual <= tolerance * Math.abs(primal)) {
                converged = true;
                break;
            }
            penalty.updateMultipliers();
            innerTolerance = Math.max(0.3 * innerTolerance, 1e-13);
        }
        return new ProgramResult(y, primal, dual, total, converged);
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
