package io.github.tangent4j.convex;

import io.github.tangent4j.tensor.Tensor;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The ReLU program solved by a primal-dual interior-point method with Nesterov-Todd scaling and Mehrotra's
 * predictor-corrector, in the form of CVXOPT's cone QP solver (Vandenberghe, "The CVXOPT linear and quadratic
 * cone program solvers", 2010, section 7, with the infeasible start of its section 7.3): per group k the
 * variables (t_k, y_k), the program
 * <pre>
 *   min 1/2 ||sum_k A_k y_k - y||^2 + sum_k beta_k t_k   s.t.  G_k y_k >= 0 (N rows),  ||y_k|| <= t_k
 * </pre>
 * (Pilanci and Ergen, ICML 2020, eq. (8), with the norms as epigraphs), K N linear and K second-order cone
 * constraints. Its Newton matrix is {@code A^T A} plus a block diagonal of K (d'+1)^2 blocks: the cones' NT
 * scalings and {@code X~^T diag(lambda_k / s_k) X~} (one GEMM for all groups), solved in the N-space
 * ({@link NewtonSystem}: one N x N matrix formed by GEMMs on the backend and factored per iteration). Two solves
 * per iteration share the factorisation.
 *
 * <p>The iterates need not satisfy the cone constraints until convergence; the stopping test is the certificate
 * of the solvers (docs/convex.md): the objective of the ReLU network the coefficients define against the dual
 * value at {@code theta = s r}, with the method's multipliers or, once the gap is small, the best ones
 * ({@link ConeDual}), a lower bound of the whole program either way. The best network and the best bound seen
 * are returned. A Newton matrix that is no longer numerically positive definite (the method's accuracy limit
 * in double precision) or a vanishing step ends the solve, not converged. Once the gap is below
 * {@link #POLISH_BELOW}, and where the solve stops short, the iterate is also polished on its identified active set
 * ({@link ActiveSetPolish}) and that point certified the same way: past the method's accuracy limit (its own gap
 * is m mu over m = N K + K constraints) this is what reaches small gaps.
 */
final class ReluInteriorPoint {
    /** Iterations per solve at most, whatever the caller's limit (interior-point methods take tens). */
    static final int MAX_ITERATIONS = 200;
    /**
     * The exact dual ({@link ConeDual}, about the cost of an iteration at N = 2000) is evaluated during the
     * iterations only once the relative gap with the method's multipliers is within this factor of the
     * tolerance, where it may certify (on the N = 2000 program it lowered the gap by only 2-3 %: the method's
     * multipliers are nearly the best ones for its residual), while its time stays within
     * {@link ProgramSolvers#GLOBAL_DUAL_SHARE} of the solve's; and at the end of a solve that stops short.
     */
    static final double EXACT_DUAL_REACH = 1.25;
    private static final double STEP_FRACTION = 0.99;
    /**
     * While the relative gap is above this, and with at least {@link #SINGLE_PRECISION_MIN_EXAMPLES}, the Newton
     * matrix's GEMMs run in single precision (the factored matrix is then a preconditioner, refined against the
     * system in double; {@link NewtonSystem}), falling back to double where its rounded factorisation fails. On
     * the N = 2000 program: the same iterates to three digits, its Newton system in 0.25 s instead of 0.36 s.
     */
    static final double SINGLE_PRECISION_ABOVE = 1e-2;
    /**
     * The fewest examples for single precision: below, the N x N matrix is cheap, and the exact fixtures' last
     * digits (their crossover to 1e-10) were measured to depend on the early iterates' rounding.
     */
    static final int SINGLE_PRECISION_MIN_EXAMPLES = 1000;
    /** The relative gap below which the iterate is first polished ({@link ActiveSetPolish}). */
    static final double POLISH_BELOW = 1e-3;
    /** After a polish that did not certify, the next one waits for the gap to shrink by this factor. */
    private static final double POLISH_AGAIN = 0.1;
    private double polishAt = POLISH_BELOW;
    /**
     * With {@code -Dtangent4j.ipm.trace=true}, one line per iteration on stderr: the seconds of its stages
     * (certificate, of which the exact dual; Newton system; the two directions; the step) and the gap.
     */
    private static final boolean TRACE = Boolean.getBoolean("tangent4j.ipm.trace");

    private final MaskedOperator op;
    private final ConeOperators cones;
    private final ConeDual exact;
    private final double[] target;
    private final double[] penalties;
    private final double[] solverPenalties;
    private final double[] networkSigns;
    private final int n;
    private final int groups;
    private final int dims;
    private final int m;

    private double bestPrimal = Double.POSITIVE_INFINITY;
    private double bestDual = Double.NEGATIVE_INFINITY;
    private double[] bestCoefficients;
    private double[] lastResidual;
    private final long start = System.nanoTime();
    private long exactNanos;

    private ReluInteriorPoint(MaskedOperator op, ConeOperators cones, ConeDual exact, double[] target,
            double[] penalties, double[] networkSigns) {
        this.op = op;
        this.cones = cones;
        this.exact = exact;
        this.target = target;
        this.penalties = penalties;
        this.networkSigns = networkSigns;
        this.n = op.n;
        this.groups = op.groups;
        this.dims = op.dims;
        this.m = dims + 1;
        this.solverPenalties = new double[groups];
        for (int k = 0; k < groups; k++) {   // a group with an infinite penalty has A_k = 0: any penalty holds it at 0
            solverPenalties[k] = Double.isInfinite(penalties[k]) ? 1 : penalties[k];
        }
        this.bestCoefficients = new double[groups * dims];
    }

    /**
     * Solves the ReLU program over all groups of {@code op}.
     *
     * @param op           the data operator (scaled mask) over all K groups
     * @param input        X~ (N, d')
     * @param signs        the cone signs (N, K)
     * @param target       the targets (N)
     * @param penalties    beta_k (K; infinite for a group held at 0)
     * @param networkSigns the output sign over the scale per group (K)
     * @param tolerance    the relative gap to stop at
     * @param maxIterations the iteration limit (capped at {@link #MAX_ITERATIONS})
     */
    static ProgramResult solve(MaskedOperator op, Tensor input, Tensor signs, double[] target, double[] penalties,
            double[] networkSigns, double tolerance, int maxIterations) {
        try (ConeOperators cones = new ConeOperators(op, input, signs, op.n >= SINGLE_PRECISION_MIN_EXAMPLES)) {
            ReluInteriorPoint ipm = new ReluInteriorPoint(op, cones, new ConeDual(op, input, signs, penalties),
                    target, penalties, networkSigns);
            return ipm.run(tolerance, Math.min(maxIterations, MAX_ITERATIONS));
        }
    }

    private ProgramResult run(double tolerance, int maxIterations) {
        double[] x = new double[groups * m];          // (t_k, y_k)
        double[] sq = new double[groups * m];         // the cones' slacks
        double[] uq = new double[groups * m];         // their multipliers
        double[] sl = new double[n * groups];         // the linear constraints' slacks (N x K)
        double[] lam = new double[n * groups];        // their multipliers
        Arrays.fill(sl, 1);
        Arrays.fill(lam, 1);
        for (int k = 0; k < groups; k++) {
            sq[k * m] = 1;
            uq[k * m] = 1;
        }
        int iterations = 0;
        while (true) {
            long began = System.nanoTime();
            long exactBefore = exactNanos;
            double[] y = parts(x);
            double[] r = Vectors.minus(op.apply(y), target);
            double[] gradient = op.adjoint(r);
            double[] normalForce = cones.normalsAdjoint(lam);
            double[] h = new double[groups * dims];
            for (int i = 0; i < h.length; i++) {
                h[i] = gradient[i] - normalForce[i];
            }
            boolean done = certify(y, r, h, tolerance);
            if (!done && bestPrimal - bestDual <= polishAt * Math.abs(bestPrimal)) {
                polishAt = (bestPrimal - bestDual) / Math.abs(bestPrimal) * POLISH_AGAIN;
                done = polish(x, uq, sl, lam, tolerance);
            }
            if (done || iterations >= maxIterations) {
                break;
            }
            iterations++;
            long certified = System.nanoTime();
            double mu = (Vectors.dot(sl, lam) + Vectors.dot(sq, uq)) / ((double) n * groups + groups);
            double[] rx = new double[groups * m];
            for (int k = 0; k < groups; k++) {
                rx[k * m] = solverPenalties[k] - uq[k * m];
                for (int a = 0; a < dims; a++) {
                    rx[k * m + 1 + a] = h[k * dims + a] - uq[k * m + 1 + a];
                }
            }
            double[] rzLin = cones.slacks(y);
            HostLoops.forEach(rzLin.length, (from, to) -> {
                for (int i = from; i < to; i++) {
                    rzLin[i] = sl[i] - rzLin[i];
                }
            });
            double[] rzQ = new double[sq.length];
            for (int i = 0; i < sq.length; i++) {
                rzQ[i] = sq[i] - x[i];
            }
            Step step;
            try {
                step = new Step(x, sq, uq, sl, lam, rx, rzLin, rzQ,
                        n >= SINGLE_PRECISION_MIN_EXAMPLES
                                && bestPrimal - bestDual > SINGLE_PRECISION_ABOVE * Math.abs(bestPrimal));
            } catch (IllegalArgumentException | ArithmeticException e) {
                break;   // the Newton matrix lost positive definiteness: the accuracy limit
            }
            long factored = System.nanoTime();
            double[] products = negProduct(sl, lam);   // read by the predictor, then updated by the corrector
            Direction predictor = step.direction(products, step.negSquare(), 0, null);
            double affine = Math.min(1, step.maxStep(predictor));
            double sigma = Math.pow(1 - affine, 3);
            Direction corrector = step.direction(products, step.negSquare(), sigma * mu, predictor);
            long directed = System.nanoTime();
            double alpha = Math.min(1, STEP_FRACTION * step.maxStep(corrector));
            if (TRACE) {
                System.err.printf("ipm %d certify %.3f (exact %.3f) newton %.3f directions %.3f step %.3f gap %.2e"
                        + " alpha %.3f%n", iterations, (certified - began) * 1e-9, (exactNanos - exactBefore) * 1e-9,
                        (factored - certified) * 1e-9, (directed - factored) * 1e-9,
                        (System.nanoTime() - directed) * 1e-9, (bestPrimal - bestDual) / bestPrimal, alpha);
            }
            if (!(alpha > 1e-10)) {
                break;
            }
            add(x, alpha, corrector.dx);
            add(sq, alpha, corrector.dsq);
            add(uq, alpha, corrector.duq);
            HostLoops.forEach(sl.length, (from, to) -> {
                for (int i = from; i < to; i++) {
                    sl[i] += alpha * corrector.dsl[i];
                    lam[i] += alpha * corrector.dlam[i];
                }
            });
        }
        if (bestPrimal - bestDual > tolerance * Math.abs(bestPrimal)) {   // stopped short: polish, the best bound
            if (!polish(x, uq, sl, lam, tolerance)) {
                exactDual(lastResidual);
            }
        }
        return new ProgramResult(bestCoefficients, bestPrimal, bestDual, iterations,
                bestPrimal - bestDual <= tolerance * Math.abs(bestPrimal));
    }

    /** Updates the best network and bound; whether the gap meets the tolerance. */
    private boolean certify(double[] y, double[] r, double[] h, double tolerance) {
        double[] coefficients = y.clone();
        for (int k = 0; k < groups; k++) {
            if (Double.isInfinite(penalties[k])) {
                Arrays.fill(coefficients, k * dims, (k + 1) * dims, 0);
            }
        }
        double[] network = Vectors.minus(op.reluNetwork(coefficients, networkSigns), target);
        double primal = DualityGap.primal(network, coefficients, penalties, dims);
        if (primal < bestPrimal) {
            bestPrimal = primal;
            bestCoefficients = coefficients;
        }
        bestDual = Math.max(bestDual, DualityGap.dual(r, target, h, penalties, dims));
        lastResidual = r;
        if (bestPrimal - bestDual > tolerance * Math.abs(bestPrimal)
                && bestPrimal - bestDual <= EXACT_DUAL_REACH * tolerance * Math.abs(bestPrimal)
                && exactNanos <= ProgramSolvers.GLOBAL_DUAL_SHARE * (System.nanoTime() - start)) {
            exactDual(r);
        }
        return bestPrimal - bestDual <= tolerance * Math.abs(bestPrimal);
    }

    /**
     * Polishes the iterate on its identified active set ({@link ActiveSetPolish}) and certifies the result with
     * the exact dual; whether the gap now meets the tolerance.
     */
    private boolean polish(double[] x, double[] uq, double[] sl, double[] lam, double tolerance) {
        double[] y = ActiveSetPolish.polish(op, cones, exact, target, penalties, x, uq, sl, lam);
        double[] r = Vectors.minus(op.apply(y), target);
        if (!certify(y, r, op.adjoint(r), tolerance)) {
            exactDual(r);   // the point's own exact bound, whatever the time share spent so far
        }
        return bestPrimal - bestDual <= tolerance * Math.abs(bestPrimal);
    }

    private void exactDual(double[] r) {
        long t = System.nanoTime();
        bestDual = Math.max(bestDual, exact.dual(r, target));
        exactNanos += System.nanoTime() - t;
    }

    /** One iteration's scalings and factored Newton system, and the directions for a right-hand side. */
    private final class Step {
        private final double[] x;
        private final double[] sq;
        private final double[] uq;
        private final double[] sl;
        private final double[] lam;
        private final double[] rx;
        private final double[] rzLin;
        private final double[] rzQ;
        private final double[] scaling = new double[groups * m * m];
        private final double[] inverse = new double[groups * m * m];
        private final double[] inverseSquared = new double[groups * m * m];
        private final double[] lambdaQ = new double[groups * m];
        private final double[] ratio;
        private final double[] inverseSlack;
        private final NewtonSystem system;

        Step(double[] x, double[] sq, double[] uq, double[] sl, double[] lam, double[] rx, double[] rzLin,
                double[] rzQ, boolean single) {
            this.x = x;
            this.sq = sq;
            this.uq = uq;
            this.sl = sl;
            this.lam = lam;
            this.rx = rx;
            this.rzLin = rzLin;
            this.rzQ = rzQ;
            IntStream.range(0, groups).parallel().forEach(k -> {   // independent per group, as each one's blocks
                double[] w = new double[m * m];
                double[] wi = new double[m * m];
                double[] l = new double[m];
                SecondOrderCone.scaling(sq, k * m, uq, k * m, m, w, wi, l);
                System.arraycopy(w, 0, scaling, k * m * m, m * m);
                System.arraycopy(wi, 0, inverse, k * m * m, m * m);
                System.arraycopy(l, 0, lambdaQ, k * m, m);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < m; j++) {
                        double sum = 0;
                        for (int c = 0; c < m; c++) {
                            sum += wi[i * m + c] * wi[c * m + j];
                        }
                        inverseSquared[k * m * m + i * m + j] = sum;
                    }
                }
            });
            ratio = new double[sl.length];
            inverseSlack = new double[sl.length];
            HostLoops.forEach(sl.length, (from, to) -> {
                for (int i = from; i < to; i++) {
                    inverseSlack[i] = 1 / sl[i];
                    ratio[i] = lam[i] * inverseSlack[i];
                }
            });
            double[] gram = cones.gramBlocks(ratio);
            double[] grams = new double[groups * dims * dims];
            int c = 0;
            for (int a = 0; a < dims; a++) {
                for (int b = a; b < dims; b++) {
                    for (int k = 0; k < groups; k++) {
                        double v = gram[c * groups + k];
                        grams[k * dims * dims + a * dims + b] = v;
                        grams[k * dims * dims + b * dims + a] = v;
                    }
                    c++;
                }
            }
            NewtonSystem made = null;
            if (single) {
                try {
                    made = new NewtonSystem(op, cones, scaling, inverse, grams, true);
                } catch (IllegalArgumentException roundedIndefinite) {
                    made = null;   // below, in double
                }
            }
            system = made != null ? made : new NewtonSystem(op, cones, scaling, inverse, grams, false);
        }

        /** {@code -lambda o lambda} of the cones (the affine centring term). */
        double[] negSquare() {
            double[] out = new double[groups * m];
            for (int k = 0; k < groups; k++) {
                SecondOrderCone.product(lambdaQ, k * m, lambdaQ, k * m, m, out, k * m);
            }
            Vectors.scale(out, -1);
            return out;
        }

        /**
         * The direction for the complementarity right-hand sides {@code rsLin} (N K) and {@code rsQ} (K m), plus
         * {@code centring} on the centring and, with a predictor, Mehrotra's second-order correction (then rsLin
         * and rsQ are updated in place; without, they are only read).
         */
        Direction direction(double[] rsLin, double[] rsQ, double centring, Direction predictor) {
            if (predictor != null) {
                double[] scaledS = NewtonSystem.blockProduct(inverse, predictor.dsq, groups, m);
                double[] scaledU = NewtonSystem.blockProduct(scaling, predictor.duq, groups, m);
                double[] prod = new double[m];
                for (int k = 0; k < groups; k++) {
                    SecondOrderCone.product(scaledS, k * m, scaledU, k * m, m, prod, 0);
                    for (int i = 0; i < m; i++) {
                        rsQ[k * m + i] -= prod[i];
                    }
                    rsQ[k * m] += centring;
                }
            }
            double[] v = new double[rsLin.length];   // the linear rows' part of the right-hand side
            HostLoops.forEach(v.length, (from, to) -> {
                for (int i = from; i < to; i++) {
                    if (predictor != null) {
                        rsLin[i] += centring - predictor.dsl[i] * predictor.dlam[i];
                    }
                    v[i] = rsLin[i] * inverseSlack[i] + ratio[i] * rzLin[i];
                }
            });
            double[] divided = new double[groups * m];
            for (int k = 0; k < groups; k++) {
                SecondOrderCone.divide(lambdaQ, k * m, rsQ, k * m, m, divided, k * m);
            }
            double[] extra = blockSum(inverse, divided, inverseSquared, rzQ);
            double[] gv = cones.normalsAdjoint(v);
            double[] b = new double[groups * m];
            for (int k = 0; k < groups; k++) {
                b[k * m] = -rx[k * m] + extra[k * m];
                for (int a = 0; a < dims; a++) {
                    b[k * m + 1 + a] = -rx[k * m + 1 + a] + gv[k * dims + a] + extra[k * m + 1 + a];
                }
            }
            double[] dx = system.solve(b);
            double[] dsl = cones.slacks(parts(dx));   // G dy, then less rzLin
            double[] dlam = v;   // v's last use was the right-hand side above
            HostLoops.forEach(dsl.length, (from, to) -> {
                for (int i = from; i < to; i++) {
                    double d = dsl[i] - rzLin[i];
                    dsl[i] = d;
                    dlam[i] = rsLin[i] * inverseSlack[i] - ratio[i] * d;
                }
            });
            double[] dsq = new double[groups * m];
            double[] diff = new double[groups * m];
            for (int i = 0; i < diff.length; i++) {
                diff[i] = rzQ[i] - dx[i];
                dsq[i] = dx[i] - rzQ[i];
            }
            return new Direction(dx, dsq, blockSum(inverseSquared, diff, inverse, divided), dsl, dlam);
        }

        /** {@code P_k u_k + Q_k v_k} per group, for K m x m matrices P, Q and K m-vectors u, v. */
        private double[] blockSum(double[] p, double[] u, double[] q, double[] v) {
            double[] out = NewtonSystem.blockProduct(p, u, groups, m);
            double[] second = NewtonSystem.blockProduct(q, v, groups, m);
            for (int i = 0; i < out.length; i++) {
                out[i] += second[i];
            }
            return out;
        }

        /** The largest step keeping every slack and multiplier inside its cone. */
        double maxStep(Direction d) {
            double alpha = linearStep(sl, d.dsl, lam, d.dlam);
            for (int k = 0; k < groups; k++) {
                alpha = Math.min(alpha, SecondOrderCone.maxStep(sq, k * m, d.dsq, k * m, m));
                alpha = Math.min(alpha, SecondOrderCone.maxStep(uq, k * m, d.duq, k * m, m));
            }
            return alpha;
        }
    }

    private record Direction(double[] dx, double[] dsq, double[] duq, double[] dsl, double[] dlam) {
    }

    /**
     * The largest step keeping the positive {@code u + alpha du} and {@code w + alpha dw} nonnegative: one over
     * the largest {@code -du_i / u_i} and {@code -dw_i / w_i} (infinite where none is positive).
     */
    static double linearStep(double[] u, double[] du, double[] w, double[] dw) {
        double negatedLargest = HostLoops.min(u.length, (from, to) -> {
            double largest = 0;
            for (int i = from; i < to; i++) {
                largest = Math.max(largest, Math.max(-du[i] / u[i], -dw[i] / w[i]));
            }
            return -largest;
        });
        return negatedLargest == 0 || negatedLargest == Double.POSITIVE_INFINITY   // none positive, or empty
                ? Double.POSITIVE_INFINITY : -1 / negatedLargest;
    }

    private static double[] negProduct(double[] a, double[] b) {
        double[] out = new double[a.length];
        HostLoops.forEach(a.length, (from, to) -> {
            for (int i = from; i < to; i++) {
                out[i] = -a[i] * b[i];
            }
        });
        return out;
    }

    private static void add(double[] a, double alpha, double[] d) {
        for (int i = 0; i < a.length; i++) {
            a[i] += alpha * d[i];
        }
    }

    private double[] parts(double[] x) {
        return NewtonSystem.parts(x, groups, dims);
    }
}
