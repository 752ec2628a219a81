package io.github.tangent4j.convex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A crossover for the interior-point method ({@link ReluInteriorPoint}): from an iterate near the optimum it
 * identifies the groups that are nonzero (exact dual ratio within 1 % of its constraint, {@link ConeDual}, and
 * the cone's primal distance above its dual one) and, per nonzero group, the cone constraints that hold with
 * equality, and hands them to the primal active-set method {@link FaceActiveSet}, which releases wrong rows, adds
 * blocking ones and lets groups leave and enter until the program's optimum. The interior-point iterates do not
 * reach it in double precision: their duality gap is m mu over m = N K + K constraints.
 *
 * <p>Where the nonzero groups have more than {@link #FACE_SYSTEM_LIMIT} coordinates (the active-set method's dense
 * Hessian), the older polish here is used: the smooth problem
 * <pre>
 *   min 1/2 ||sum_k A_k y_k - y||^2 + sum_k beta_k ||y_k||   s.t.  y_k in range(P_k) for the nonzero groups, 0 else
 * </pre>
 * (P_k the projector onto the null space of the active rows of G_k) by Newton's method with a line search, each
 * Newton system solved by conjugate gradients preconditioned with {@code D + P A^T A P}, D_k = beta_k / ||y_k|| I,
 * applied in the N-space by the Woodbury identity with the Newton matrix of {@link ConeOperators#newtonMatrix};
 * groups the Newton step drives through 0 leave, zero groups whose exact dual constraint fails enter
 * ({@link #enter}), and active rows are never released. Either way the caller certifies the result like any other
 * point (network objective against the exact dual), so a wrong identification costs time, never correctness.
 */
final class ActiveSetPolish {
    /** Newton steps at most. */
    static final int NEWTON_STEPS = 12;
    /** Rounds of entering violators ({@link #enter}) and polishing again at most. */
    static final int ENTERING_ROUNDS = 6;
    /** Conjugate-gradient iterations per Newton step at most. */
    static final int CG_ITERATIONS = 100;
    /**
     * The largest number of nonzero-group coordinates for which the exact active-set method ({@link FaceActiveSet},
     * a dense Hessian of that order) is used; above it the Newton-CG polish here.
     */
    static final int FACE_SYSTEM_LIMIT = 8000;
    /** Groups whose exact dual ratio at the iterate is below 1 - this are taken as zero. */
    static final double IDENTIFY = 1e-2;

    private final MaskedOperator op;
    private final double[] target;
    private final double[] penalties;
    private final int groups;
    private final int dims;
    private final boolean[] nonzero;
    private final double[] projectors;   // K d' x d'
    private HostCholesky preconditioner;
    private double[] scales;             // ||y_k|| / beta_k of the preconditioner, 0 for zero groups

    private ActiveSetPolish(MaskedOperator op, double[] target, double[] penalties, boolean[] nonzero,
            double[] projectors) {
        this.op = op;
        this.target = target;
        this.penalties = penalties;
        this.groups = op.groups;
        this.dims = op.dims;
        this.nonzero = nonzero;
        this.projectors = projectors;
    }

    /**
     * The polished coefficients Y (K d'), from the interior-point iterate: group k counts as nonzero where its
     * cone's primal distance {@code ||y_k||} exceeds its dual one {@code u_0 - ||u_1||}, a constraint row as
     * active where its multiplier exceeds its slack.
     *
     * @param penalties beta_k (K; infinite for a group held at 0)
     * @param x         (t_k, y_k) per group (K (d'+1))
     * @param uq        the cones' multipliers (K (d'+1))
     * @param sl        the linear constraints' slacks (N x K)
     * @param lam       their multipliers (N x K)
     */
    static double[] polish(MaskedOperator op, ConeOperators cones, ConeDual exact, double[] target,
            double[] penalties, double[] x, double[] uq, double[] sl, double[] lam) {
        int groups = op.groups;
        int dims = op.dims;
        int m = dims + 1;
        boolean[] nonzero = new boolean[groups];
        double[] y = NewtonSystem.parts(x, groups, dims);
        double[] r = Vectors.minus(op.apply(y), target);
        double[] h = op.adjoint(r);
        double[] force = cones.normalsAdjoint(lam);
        boolean[] near = new boolean[groups];   // with the iterate's multipliers, an upper bound of the exact ratio
        for (int k = 0; k < groups; k++) {
            double norm = 0;
            for (int a = 0; a < dims; a++) {
                double v = h[k * dims + a] - force[k * dims + a];
                norm += v * v;
            }
            near[k] = Math.sqrt(norm) >= (1 - IDENTIFY) * penalties[k];
        }
        double[] ratios = exact.ratios(r, 1 - IDENTIFY, k -> near[k]);
        for (int k = 0; k < groups; k++) {
            double tail = 0;
            for (int a = 1; a < m; a++) {
                tail += uq[k * m + a] * uq[k * m + a];
            }
            nonzero[k] = !Double.isInfinite(penalties[k]) && near[k] && ratios[k] >= 1 - IDENTIFY
                    && Vectors.groupNorm(y, k, dims) > uq[k * m] - Math.sqrt(tail);
        }
        List<List<Integer>> active = new ArrayList<>();
        int count = 0;
        for (int k = 0; k < groups; k++) {
            active.add(nonzero[k] ? activeRows(exact.normals(k), k, groups, dims, sl, lam) : null);
            count += nonzero[k] ? 1 : 0;
        }
        if ((long) count * dims <= FACE_SYSTEM_LIMIT) {
            return FaceActiveSet.solve(op, exact, target, penalties, y, active);
        }
        ActiveSetPolish p = new ActiveSetPolish(op, target, penalties, nonzero, new double[groups * dims * dims]);
        for (int k = 0; k < groups; k++) {
            if (nonzero[k]) {
                nonzero[k] = p.setRows(k, active.get(k), exact.normals(k)) > 0;
            }
        }
        double[] start = p.project(y);
        for (int k = 0; k < groups; k++) {
            if (nonzero[k] && Vectors.groupNorm(start, k, dims) == 0) {
                nonzero[k] = false;
            }
        }
        double[] polished = p.newton(cones, p.project(start));
        for (int round = 0; round < ENTERING_ROUNDS; round++) {
            if (!p.enter(exact, polished)) {
                break;
            }
            polished = p.newton(cones, p.project(polished));
        }
        return polished;
    }

    /**
     * Group k's rows taken as active: those whose multiplier exceeds their slack, by decreasing ratio of the two,
     * each kept only where it is independent of the rows kept before, at most d' - 1 (a nonzero y_k lies in their
     * null space).
     */
    private static List<Integer> activeRows(double[] normals, int k, int groups, int dims, double[] sl, double[] lam) {
        int n = normals.length / dims;
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (lam[i * groups + k] > sl[i * groups + k]) {
                candidates.add(i);
            }
        }
        candidates.sort(java.util.Comparator.comparingDouble(i -> -lam[i * groups + k] / sl[i * groups + k]));
        List<Integer> rows = new ArrayList<>();
        List<double[]> basis = new ArrayList<>();
        for (int i : candidates) {
            if (rows.size() == dims - 1) {
                break;
            }
            double[] v = Arrays.copyOfRange(normals, i * dims, (i + 1) * dims);
            double norm = Math.sqrt(Vectors.dot(v, v));
            for (double[] q : basis) {
                double c = Vectors.dot(q, v);
                for (int a = 0; a < dims; a++) {
                    v[a] -= c * q[a];
                }
            }
            double left = Math.sqrt(Vectors.dot(v, v));
            if (left > 1e-6 * norm) {
                Vectors.scale(v, 1 / left);
                basis.add(v);
                rows.add(i);
            }
        }
        return rows;
    }

    /**
     * Adds the zero groups whose dual constraint the current point violates (ratio above 1 + 1e-9, exactly by
     * {@link ConeDual}), each at the minimiser of the objective's upper bound along its steepest feasible
     * direction p (a step of {@code rho_k - beta_k}: the preconditioned {@code ||A_k|| = 1}), its active rows the
     * constraints p holds with equality; whether any was added.
     */
    private boolean enter(ConeDual exact, double[] y) {
        double[] h = op.adjoint(Vectors.minus(op.apply(y), target));
        boolean any = false;
        for (int k = 0; k < groups; k++) {
            if (nonzero[k] || Double.isInfinite(penalties[k])
                    || Vectors.groupNorm(h, k, dims) <= (1 + 1e-9) * penalties[k]) {
                continue;
            }
            double[] p = exact.steepestFeasible(h, k);
            double rho = Math.sqrt(Vectors.dot(p, p));
            if (rho <= (1 + 1e-9) * penalties[k]) {
                continue;
            }
            double[] g = exact.normals(k);
            List<Integer> rows = new ArrayList<>();
            for (int i = 0; i < op.n; i++) {
                if (Math.abs(dot(g, i, p)) <= 1e-9 * Math.sqrt(dot(g, i, g, i)) * rho) {
                    rows.add(i);
                }
            }
            if (setRows(k, rows, g) == 0) {
                continue;
            }
            double step = (rho - penalties[k]) / rho;
            for (int a = 0; a < dims; a++) {
                y[k * dims + a] = step * p[a];
            }
            nonzero[k] = true;
            any = true;
        }
        return any;
    }

    private double[] newton(ConeOperators cones, double[] y) {
        double value = objective(y);
        for (int step = 0; step < NEWTON_STEPS; step++) {
            double[] r = Vectors.minus(op.apply(y), target);
            double[] gradient = gradient(y, r);
            double norm = Math.sqrt(Vectors.dot(gradient, gradient));
            if (!(norm > 1e-10 * Math.max(1, value))) {
                break;
            }
            factor(cones, y);   // at this y: groups entering at a small norm grow by orders of magnitude
            double[] d = conjugateGradients(y, gradient,
                    Math.min(0.1, Math.sqrt(norm / Math.max(1, value))));
            if (dropCrossing(y, d)) {   // a group the model drives through 0 belongs to the zero groups
                y = project(y);
                value = objective(y);
                continue;
            }
            double slope = Vectors.dot(gradient, d);
            if (!(slope < 0)) {
                break;
            }
            double alpha = 1;
            double[] next = null;
            double nextValue = Double.NaN;
            for (int halvings = 0; halvings < 40; halvings++) {
                next = y.clone();
                for (int i = 0; i < next.length; i++) {
                    next[i] += alpha * d[i];
                }
                nextValue = objective(next);
                if (nextValue <= value + 1e-4 * alpha * slope) {
                    break;
                }
                alpha /= 2;
                next = null;
            }
            if (next == null || !(nextValue < value)) {
                break;
            }
            y = next;
            value = nextValue;
        }
        return y;
    }

    /**
     * Makes {@code rows} group k's active rows (of its normals G_k, N x d') and its projector the null space of
     * those rows; the null space's dimension.
     */
    private int setRows(int k, List<Integer> rows, double[] normals) {
        double[] basis = NullSpace.basis(normals, rows, dims);
        NullSpace.projector(basis, dims, projectors, k * dims * dims);
        return basis.length / dims;
    }

    private double dot(double[] g, int i, double[] v) {
        double sum = 0;
        for (int a = 0; a < dims; a++) {
            sum += g[i * dims + a] * v[a];
        }
        return sum;
    }

    private double dot(double[] g, int i, double[] h, int j) {
        double sum = 0;
        for (int a = 0; a < dims; a++) {
            sum += g[i * dims + a] * h[j * dims + a];
        }
        return sum;
    }

    /**
     * Moves the groups whose Newton step crosses 0 along their own direction ({@code y_k . d_k <= -||y_k||^2})
     * to the zero groups; whether there were any.
     */
    private boolean dropCrossing(double[] y, double[] d) {
        boolean any = false;
        for (int k = 0; k < groups; k++) {
            if (!nonzero[k]) {
                continue;
            }
            double along = 0;
            double norm2 = 0;
            for (int a = 0; a < dims; a++) {
                along += y[k * dims + a] * d[k * dims + a];
                norm2 += y[k * dims + a] * y[k * dims + a];
            }
            if (along <= -norm2) {
                nonzero[k] = false;
                any = true;
            }
        }
        return any;
    }

    /** The smooth problem's objective. */
    private double objective(double[] y) {
        double[] r = Vectors.minus(op.apply(y), target);
        double value = 0.5 * Vectors.dot(r, r);
        for (int k = 0; k < groups; k++) {
            if (nonzero[k]) {
                value += penalties[k] * Vectors.groupNorm(y, k, dims);
            }
        }
        return value;
    }

    /** {@code P_k (A_k^T r + beta_k y_k / ||y_k||)}, 0 for the zero groups. */
    private double[] gradient(double[] y, double[] r) {
        double[] g = op.adjoint(r);
        for (int k = 0; k < groups; k++) {
            double norm = Vectors.groupNorm(y, k, dims);
            for (int a = 0; a < dims; a++) {
                g[k * dims + a] += nonzero[k] ? penalties[k] * y[k * dims + a] / norm : 0;
            }
        }
        return project(g);
    }

    /** The Hessian at y times v (v in the range of the projectors). */
    private double[] hessian(double[] y, double[] v) {
        double[] out = project(op.adjoint(op.apply(v)));
        for (int k = 0; k < groups; k++) {
            if (!nonzero[k]) {
                continue;
            }
            double norm = Vectors.groupNorm(y, k, dims);
            double along = 0;
            for (int a = 0; a < dims; a++) {
                along += y[k * dims + a] * v[k * dims + a];
            }
            along /= norm * norm;
            for (int a = 0; a < dims; a++) {
                out[k * dims + a] += penalties[k] / norm * (v[k * dims + a] - along * y[k * dims + a]);
            }
        }
        return out;
    }

    /** Factors the preconditioner's Woodbury matrix {@code I + sum_k (||y_k|| / beta_k) A_k P_k A_k^T}. */
    private void factor(ConeOperators cones, double[] y) {
        scales = new double[groups];
        double[] blocks = new double[groups * dims * dims];
        for (int k = 0; k < groups; k++) {
            if (nonzero[k]) {
                scales[k] = Vectors.groupNorm(y, k, dims) / penalties[k];
                for (int i = 0; i < dims * dims; i++) {
                    blocks[k * dims * dims + i] = scales[k] * projectors[k * dims * dims + i];
                }
            }
        }
        preconditioner = HostCholesky.of(cones.newtonMatrix(NewtonSystem.columnFactors(cones, blocks, dims)), op.n);
    }

    /** {@code (D + P A^T A P)^-1 g} by Woodbury: {@code D^-1 g - D^-1 P A^T S^-1 A P D^-1 g}. */
    private double[] precondition(double[] g) {
        double[] scaled = g.clone();
        for (int k = 0; k < groups; k++) {
            for (int a = 0; a < dims; a++) {
                scaled[k * dims + a] *= scales[k];
            }
        }
        double[] back = project(op.adjoint(preconditioner.solve(op.apply(scaled))));
        for (int k = 0; k < groups; k++) {
            for (int a = 0; a < dims; a++) {
                scaled[k * dims + a] -= scales[k] * back[k * dims + a];
            }
        }
        return scaled;
    }

    /** d with {@code H d = -g}, by preconditioned conjugate gradients from 0 to a relative residual of eta. */
    private double[] conjugateGradients(double[] y, double[] g, double eta) {
        double[] d = new double[g.length];
        double[] residual = g.clone();
        Vectors.scale(residual, -1);
        double[] z = precondition(residual);
        double[] p = z.clone();
        double rz = Vectors.dot(residual, z);
        double stop = eta * eta * Vectors.dot(g, g);
        for (int it = 0; it < CG_ITERATIONS && Vectors.dot(residual, residual) > stop; it++) {
            double[] hp = hessian(y, p);
            double curvature = Vectors.dot(p, hp);
            if (!(curvature > 0)) {
                break;
            }
            double alpha = rz / curvature;
            for (int i = 0; i < d.length; i++) {
                d[i] += alpha * p[i];
                residual[i] -= alpha * hp[i];
            }
            z = precondition(residual);
            double next = Vectors.dot(residual, z);
            double beta = next / rz;
            rz = next;
            for (int i = 0; i < p.length; i++) {
                p[i] = z[i] + beta * p[i];
            }
        }
        return d;
    }

    /** {@code P_k v_k} per group, 0 for the zero groups. */
    private double[] project(double[] v) {
        return FaceActiveSet.projectGroups(projectors, v, nonzero, dims);
    }
}
