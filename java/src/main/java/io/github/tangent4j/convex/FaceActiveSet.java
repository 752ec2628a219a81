package io.github.tangent4j.convex;

import io.github.tangent4j.linalg.LeastSquares;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.backend.DeviceMatrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A primal active-set method for the ReLU program restricted to a set of nonzero groups
 * <pre>
 *   min 1/2 ||sum_k A_k y_k - y||^2 + sum_k beta_k ||y_k||   s.t.  G_k y_k >= 0
 * </pre>
 * (Nocedal and Wright, "Numerical Optimization", 2nd ed., section 16.5, for a convex objective that is smooth
 * away from y_k = 0). Each group k holds a working set W_k of rows of G_k kept at equality (its face of the cone:
 * the null space of those rows, orthonormal basis Z_k, projector P_k). On the current faces the smooth problem is
 * solved by Newton's method with the exact reduced Hessian {@code Z^T (A^T A + C) Z}, C_k = beta_k / ||y_k||
 * (I - u_k u_k^T) the norms' curvature, formed densely from the blocks of A^T A over the nonzero groups' d'
 * coordinates (one GEMM on the backend per change of the nonzero set) and factored by Cholesky. Each Newton step
 * is cut by a ratio test against the rows outside the working sets; all rows that block it together join their
 * working sets. A group the step takes through 0 along itself becomes zero there. At a face's
 * optimum the multipliers of the working rows come from a least-squares fit of the group's stationarity condition
 * {@code A_k^T r + beta_k u_k = G_W^T lambda}; every row with a negative multiplier is released at once (only the
 * most negative per group after a release that the ratio test undid at once, so it cannot cycle), and once none
 * is negative the zero groups whose exact dual constraint fails ({@link ConeDual}) enter along their steepest
 * feasible direction. It ends when none does. The result is certified by the caller like any other point, so a
 * step limit or a wrong turn costs accuracy, never correctness.
 */
final class FaceActiveSet {
    /**
     * Newton steps over all faces at most: from the interior-point iterate at a gap of 1e-3 the N = 2000 program
     * takes 22; from 5e-3 the method wandered (200 steps, 29 s, uncertified), so a hopeless start is cut short.
     */
    static final int MAX_STEPS = 80;
    /** Rounds of entering zero groups at most. */
    static final int ENTERING_ROUNDS = 6;
    /** Relative size of a multiplier (against beta_k) below which its row is released. */
    static final double RELEASE = 1e-9;
    /** A face's optimum: every group's projected gradient at most this times beta_k. */
    static final double STATIONARY = 1e-11;

    private final MaskedOperator op;
    private final ConeDual exact;
    private final double[] target;
    private final double[] penalties;
    private final int n;
    private final int dims;
    private final int groups;
    private final double[] lifted;   // X~ (N x d')
    private final double[] mask;     // (N x K)

    private int[] members = new int[0];     // the groups with a slot, in slot order
    private double[] columns = new double[0];   // A over the slots' coordinates (N x n), row-major
    private double[] gram = new double[0];      // A^T A over the slots' coordinates (n x n)
    private final int[] slotOf;             // group -> slot, -1 without one
    private final boolean[] nonzero;
    private final List<List<Integer>> working = new ArrayList<>();   // per group, its working rows (or null)
    private final double[][] normals;       // per group with a slot, G_k (N x d')
    private final double[] projectors;      // K d' x d'
    private final double[][] bases;         // per nonzero group, an orthonormal basis Z_k of its face (d' x f_k)
    private final boolean[] careful;        // per group: release one row at a time
    private final List<List<Integer>> released = new ArrayList<>();   // per group, the rows it released last
    private int steps;

    private FaceActiveSet(MaskedOperator op, ConeDual exact, double[] target, double[] penalties) {
        this.op = op;
        this.exact = exact;
        this.target = target;
        this.penalties = penalties;
        this.n = op.n;
        this.dims = op.dims;
        this.groups = op.groups;
        this.lifted = op.backend.download(op.x).toDoubleArray();
        this.mask = op.backend.download(op.mask).toDoubleArray();
        this.slotOf = new int[groups];
        Arrays.fill(slotOf, -1);
        this.nonzero = new boolean[groups];
        this.normals = new double[groups][];
        this.projectors = new double[groups * dims * dims];
        this.bases = new double[groups][];
        this.careful = new boolean[groups];
        for (int k = 0; k < groups; k++) {
            working.add(null);
            released.add(List.of());
        }
    }

    /**
     * The optimum of the program from a start whose nonzero groups and working rows are given (K d'); the start
     * is projected onto those faces first.
     *
     * @param start  Y (K d')
     * @param active per group, its rows taken as active (null for the groups at 0)
     */
    static double[] solve(MaskedOperator op, ConeDual exact, double[] target, double[] penalties, double[] start,
            List<List<Integer>> active) {
        FaceActiveSet s = new FaceActiveSet(op, exact, target, penalties);
        double[] y = new double[start.length];
        for (int k = 0; k < s.groups; k++) {
            if (active.get(k) != null && !Double.isInfinite(penalties[k])) {
                s.normals[k] = exact.normals(k);
                s.working.set(k, new ArrayList<>(active.get(k)));
                if (s.setProjector(k) > 0) {
                    s.nonzero[k] = true;
                    System.arraycopy(start, k * s.dims, y, k * s.dims, s.dims);
                }
            }
        }
        y = s.project(y);
        for (int k = 0; k < s.groups; k++) {
            s.nonzero[k] &= Vectors.groupNorm(y, k, s.dims) > 0;
        }
        s.layout();
        return s.run(y);
    }

    private double[] run(double[] y) {
        int rounds = 0;
        while (steps < MAX_STEPS) {
            y = faceOptimum(y);
            if (steps >= MAX_STEPS) {
                break;
            }
            double[] r = residual(y);
            if (release(y, r)) {
                continue;
            }
            if (rounds++ >= ENTERING_ROUNDS || !enter(y, r)) {
                break;
            }
            layout();
        }
        return y;
    }

    /** Newton steps on the current faces until their optimum, adding the rows that block a step. */
    private double[] faceOptimum(double[] y) {
        double unmeasured = Double.POSITIVE_INFINITY;
        while (steps < MAX_STEPS) {
            double[] r = residual(y);
            double[] g = gradient(y, r);
            double worst = 0;
            for (int k : members) {
                if (nonzero[k]) {
                    worst = Math.max(worst, Vectors.groupNorm(g, k, dims) / penalties[k]);
                }
            }
            if (!(worst > STATIONARY)) {
                return y;
            }
            steps++;
            double[] d = newtonDirection(y, g);
            double slope = Vectors.dot(g, d);
            if (!(slope < 0)) {
                return y;
            }
            double[] ratio = new double[1];
            List<int[]> blocking = ratioTest(y, d, ratio);
            double alpha = Math.min(1, ratio[0]);
            double value = objective(y, r);
            double[] dropped = dropAtCrossing(y, d, Math.min(1, ratio[0]), value);
            if (dropped != null) {   // a group the step takes through 0 becomes 0 there
                y = dropped;
                continue;
            }
            double[] next = null;
            if (-slope <= 1e-13 * Math.abs(value)) {   // a decrease below the objective's rounding: full steps while
                if (worst >= unmeasured) {                  // the gradient still shrinks
                    return y;
                }
                unmeasured = worst;
                next = step(y, d, alpha);
            }
            for (int halvings = 0; next == null && halvings < 50; halvings++) {
                double[] trial = step(y, d, alpha);
                if (objective(trial, residual(trial)) <= value + 1e-4 * alpha * slope) {
                    next = trial;
                    break;
                }
                alpha /= 2;
            }
            if (next == null) {
                return y;
            }
            y = next;
            if (alpha == ratio[0] && !blocking.isEmpty()) {
                for (int[] row : blocking) {
                    working.get(row[0]).add(row[1]);
                    careful[row[0]] |= released.get(row[0]).contains(row[1]);
                }
                for (int[] row : blocking) {
                    refaceOrDrop(row[0], y);
                }
                y = project(y);
            }
        }
        return y;
    }

    private static double[] step(double[] y, double[] d, double alpha) {
        double[] out = y.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += alpha * d[i];
        }
        return out;
    }

    /**
     * The largest step along d keeping every row outside the working sets feasible (in {@code ratio[0]},
     * infinite where none blocks), and the (group, row) pairs that block within a relative 1e-9 of it.
     */
    private List<int[]> ratioTest(double[] y, double[] d, double[] ratio) {
        double[][] alphas = new double[groups][];
        double scaleOfD = Math.sqrt(Vectors.dot(d, d));
        double best = Arrays.stream(members).parallel().filter(k -> nonzero[k])
                .mapToDouble(k -> blockingSteps(k, y, d, scaleOfD, alphas)).min().orElse(Double.POSITIVE_INFINITY);
        ratio[0] = best;
        List<int[]> blocking = new ArrayList<>();
        if (best < 1) {
            for (int k : members) {
                if (alphas[k] == null) {
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    if (alphas[k][i] <= best * (1 + 1e-9) + 1e-15) {
                        blocking.add(new int[] {k, i});
                    }
                }
            }
        }
        return blocking;
    }

    /**
     * Group k's step to each of its rows outside the working set along d (infinite where the row does not
     * block), stored in {@code alphas[k]}; returns the smallest.
     */
    private double blockingSteps(int k, double[] y, double[] d, double scaleOfD, double[][] alphas) {
        double[] g = normals[k];
        boolean[] in = new boolean[n];
        for (int i : working.get(k)) {
            in[i] = true;
        }
        double[] a = new double[n];
        Arrays.fill(a, Double.POSITIVE_INFINITY);
        double scale = scaleOfD + Vectors.groupNorm(y, k, dims);
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            if (in[i]) {
                continue;
            }
            double gy = 0;
            double gd = 0;
            double gg = 0;
            for (int b = 0; b < dims; b++) {
                double v = g[i * dims + b];
                gy += v * y[k * dims + b];
                gd += v * d[k * dims + b];
                gg += v * v;
            }
            if (gd < -1e-14 * Math.sqrt(gg) * scale) {
                a[i] = Math.max(0, gy) / -gd;
                best = Math.min(best, a[i]);
            }
        }
        alphas[k] = a;
        return best;
    }

    /**
     * At a face's optimum: releases the working rows with negative multipliers (all of them per group, or the
     * most negative one where the last release was undone at once); whether any was released.
     */
    private boolean release(double[] y, double[] r) {
        double[] h = adjointOverSlots(r);
        boolean any = false;
        for (int k : members) {
            if (!nonzero[k] || working.get(k).isEmpty()) {
                continue;
            }
            List<Integer> rows = working.get(k);
            double norm = Vectors.groupNorm(y, k, dims);
            double[] force = new double[dims];
            for (int a = 0; a < dims; a++) {
                force[a] = h[slotOf[k] * dims + a] + penalties[k] * y[k * dims + a] / norm;
            }
            double[] transposed = new double[dims * rows.size()];
            for (int j = 0; j < rows.size(); j++) {
                for (int a = 0; a < dims; a++) {
                    transposed[a * rows.size() + j] = normals[k][rows.get(j) * dims + a];
                }
            }
            double[] lambda = LeastSquares.solve(transposed, dims, rows.size(), force).x();
            List<Integer> out = new ArrayList<>();
            int worst = -1;
            double worstValue = 0;
            for (int j = 0; j < rows.size(); j++) {
                double size = lambda[j] * rowNorm(k, rows.get(j)) / penalties[k];
                if (size < -RELEASE) {
                    out.add(rows.get(j));
                    if (size < worstValue) {
                        worstValue = size;
                        worst = rows.get(j);
                    }
                }
            }
            if (out.isEmpty()) {
                continue;
            }
            if (careful[k]) {
                out = List.of(worst);
            }
            released.set(k, out);
            rows.removeAll(out);
            setProjector(k);
            any = true;
        }
        return any;
    }

    private double rowNorm(int k, int i) {
        double s = 0;
        for (int a = 0; a < dims; a++) {
            s += normals[k][i * dims + a] * normals[k][i * dims + a];
        }
        return Math.sqrt(s);
    }

    /**
     * Adds the zero groups whose exact dual constraint fails at r (ratio above 1 + 1e-9), each at the minimiser
     * of the objective's upper bound along its steepest feasible direction p (a step of {@code rho_k - beta_k}:
     * the preconditioned {@code ||A_k|| = 1}), its working rows those p holds with equality; whether any entered.
     */
    private boolean enter(double[] y, double[] r) {
        double[] ratios = exact.ratios(r, 1 + 1e-9, k -> !nonzero[k]);
        double[] h = null;
        boolean any = false;
        for (int k = 0; k < groups; k++) {
            if (nonzero[k] || Double.isInfinite(penalties[k]) || ratios[k] <= 1 + 1e-9) {
                continue;
            }
            if (h == null) {
                h = op.adjoint(r);
            }
            double[] p = exact.steepestFeasible(h, k);
            double rho = Math.sqrt(Vectors.dot(p, p));
            double[] g = exact.normals(k);
            List<Integer> rows = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                double gp = 0;
                double gg = 0;
                for (int a = 0; a < dims; a++) {
                    gp += g[i * dims + a] * p[a];
                    gg += g[i * dims + a] * g[i * dims + a];
                }
                if (Math.abs(gp) <= 1e-9 * Math.sqrt(gg) * rho) {
                    rows.add(i);
                }
            }
            normals[k] = g;
            working.set(k, rows);
            if (setProjector(k) == 0) {
                continue;
            }
            double step = (rho - penalties[k]) / rho;
            for (int a = 0; a < dims; a++) {
                y[k * dims + a] = step * p[a];
            }
            nonzero[k] = true;
            careful[k] = false;
            any = true;
        }
        return any;
    }

    /** Recomputes group k's projector after its working set grew; a group left without a free direction is 0. */
    private void refaceOrDrop(int k, double[] y) {
        if (setProjector(k) == 0) {
            nonzero[k] = false;
            Arrays.fill(y, k * dims, (k + 1) * dims, 0);
        }
        
    }

    /**
     * Where the step along d (up to {@code limit}) first takes a group's component along itself through 0
     * ({@code alpha = -||y_k||^2 / y_k.d_k}), the point there with that group (and any crossing together with it)
     * set to 0, if that does not raise the objective above {@code value}; else null. The Newton model has no
     * curvature along a group's radius, so a group that belongs to the zero groups is driven through 0.
     */
    private double[] dropAtCrossing(double[] y, double[] d, double limit, double value) {
        double[] at = new double[groups];
        double first = limit;
        for (int k : members) {
            if (!nonzero[k]) {
                continue;
            }
            double along = 0;
            for (int a = 0; a < dims; a++) {
                along += y[k * dims + a] * d[k * dims + a];
            }
            double norm = Vectors.groupNorm(y, k, dims);
            at[k] = along < 0 ? -norm * norm / along : Double.POSITIVE_INFINITY;
            first = Math.min(first, at[k]);
        }
        if (!(first < limit)) {
            return null;
        }
        double[] trial = step(y, d, first);
        List<Integer> crossing = new ArrayList<>();
        for (int k : members) {
            if (nonzero[k] && at[k] <= first * (1 + 1e-9)) {
                crossing.add(k);
                Arrays.fill(trial, k * dims, (k + 1) * dims, 0);
            }
        }
        for (int k : crossing) {
            nonzero[k] = false;
        }
        if (objective(trial, residual(trial)) <= value) {
            return trial;
        }
        for (int k : crossing) {
            nonzero[k] = true;
        }
        return null;
    }

    /**
     * Slots for the nonzero groups that have none (appended after the existing ones, which keep theirs, also for
     * groups now at 0), their columns of A, and A^T A over all slots: the new slots' block columns by one GEMM on
     * the backend ({@code N x n x (new coordinates)}), the rest kept.
     */
    private void layout() {
        int[] added = IntStream.range(0, groups).filter(k -> nonzero[k] && slotOf[k] < 0).toArray();
        if (added.length == 0) {
            return;
        }
        int oldWidth = members.length * dims;
        int[] all = Arrays.copyOf(members, members.length + added.length);
        System.arraycopy(added, 0, all, members.length, added.length);
        for (int s = members.length; s < all.length; s++) {
            slotOf[all[s]] = s;
        }
        int width = all.length * dims;
        int addedWidth = width - oldWidth;
        double[] wide = new double[n * width];
        double[] fresh = new double[n * addedWidth];
        for (int i = 0; i < n; i++) {
            if (oldWidth > 0) {
                System.arraycopy(columns, i * oldWidth, wide, i * width, oldWidth);
            }
            for (int s = members.length; s < all.length; s++) {
                double m = mask[i * groups + all[s]];
                for (int a = 0; a < dims; a++) {
                    double v = m * lifted[i * dims + a];
                    wide[i * width + s * dims + a] = v;
                    fresh[i * addedWidth + (s - members.length) * dims + a] = v;
                }
            }
        }
        Tensor wideHost = Tensor.allocate(op.dtype, n, width);
        MaskedOperator.put(wideHost, wide);
        Tensor freshHost = Tensor.allocate(op.dtype, n, addedWidth);
        MaskedOperator.put(freshHost, fresh);
        Tensor product = Tensor.allocate(op.dtype, width, addedWidth);
        try (DeviceMatrix wideDev = op.backend.upload(wideHost); DeviceMatrix freshDev = op.backend.upload(freshHost)) {
            op.backend.gemmToHost(true, false, 1, wideDev, freshDev, product);
        }
        double[] block = product.toDoubleArray();   // A^T A's new block columns (width x addedWidth)
        double[] grown = new double[width * width];
        for (int i = 0; i < oldWidth; i++) {
            System.arraycopy(gram, i * oldWidth, grown, i * width, oldWidth);
        }
        for (int i = 0; i < width; i++) {
            for (int j = 0; j < addedWidth; j++) {
                grown[i * width + oldWidth + j] = block[i * addedWidth + j];
                grown[(oldWidth + j) * width + i] = block[i * addedWidth + j];
            }
        }
        members = all;
        columns = wide;
        gram = grown;
    }

    /**
     * The Newton direction {@code -Z (Z^T (A^T A + C) Z)^-1 Z^T g} over the nonzero groups' faces (K d'), for the
     * projected gradient g.
     */
    private double[] newtonDirection(double[] y, double[] g) {
        int width = members.length * dims;
        int[] offsets = new int[members.length + 1];
        for (int s = 0; s < members.length; s++) {
            offsets[s + 1] = offsets[s] + (nonzero[members[s]] ? bases[members[s]].length / dims : 0);
        }
        int size = offsets[members.length];
        double[] h = new double[size * size];
        double[] rhs = new double[size];
        double[] inner = new double[dims * dims];
        for (int s = 0; s < members.length; s++) {
            int k = members[s];
            int fk = offsets[s + 1] - offsets[s];
            if (fk == 0) {
                continue;
            }
            double[] zk = bases[k];
            for (int t = 0; t <= s; t++) {
                int l = members[t];
                int fl = offsets[t + 1] - offsets[t];
                if (fl == 0) {
                    continue;
                }
                double[] zl = bases[l];
                for (int a = 0; a < dims; a++) {   // Q_kl Z_l (d' x f_l)
                    int row = (s * dims + a) * width + t * dims;
                    for (int j = 0; j < fl; j++) {
                        double sum = 0;
                        for (int c = 0; c < dims; c++) {
                            sum += gram[row + c] * zl[c * fl + j];
                        }
                        inner[a * fl + j] = sum;
                    }
                }
                for (int i = 0; i < fk; i++) {
                    for (int j = 0; j < fl; j++) {
                        double sum = 0;
                        for (int a = 0; a < dims; a++) {
                            sum += zk[a * fk + i] * inner[a * fl + j];
                        }
                        h[(offsets[s] + i) * size + offsets[t] + j] = sum;
                        h[(offsets[t] + j) * size + offsets[s] + i] = sum;
                    }
                }
            }
            double norm = Vectors.groupNorm(y, k, dims);
            double c = penalties[k] / norm;
            double[] zu = new double[fk];   // Z_k^T u_k
            for (int i = 0; i < fk; i++) {
                double sum = 0;
                double gsum = 0;
                for (int a = 0; a < dims; a++) {
                    sum += zk[a * fk + i] * y[k * dims + a] / norm;
                    gsum += zk[a * fk + i] * g[k * dims + a];
                }
                zu[i] = sum;
                rhs[offsets[s] + i] = -gsum;
            }
            for (int i = 0; i < fk; i++) {
                for (int j = 0; j < fk; j++) {
                    h[(offsets[s] + i) * size + offsets[s] + j] += c * ((i == j ? 1 : 0) - zu[i] * zu[j]);
                }
            }
        }
        double[] solved = size == 0 ? rhs : regularisedSolve(h, size, rhs);
        double[] d = new double[groups * dims];
        for (int s = 0; s < members.length; s++) {
            int k = members[s];
            int fk = offsets[s + 1] - offsets[s];
            for (int a = 0; a < dims; a++) {
                double sum = 0;
                for (int i = 0; i < fk; i++) {
                    sum += bases[k][a * fk + i] * solved[offsets[s] + i];
                }
                d[k * dims + a] = sum;
            }
        }
        return d;
    }

    /**
     * {@code (H + delta I)^-1 b}, delta 0 or, where H is singular in floating point (a v_i and w_i pair nonzero at
     * once: {@code A_w = -A_v}, and the norms have no radial curvature), the smallest of {@code 1e-12, 1e-10, ...}
     * times H's largest diagonal entry that makes it factor: a descent direction either way.
     */
    private static double[] regularisedSolve(double[] h, int size, double[] b) {
        double largest = 0;
        for (int i = 0; i < size; i++) {
            largest = Math.max(largest, h[i * size + i]);
        }
        for (double delta = 0; ; delta = delta == 0 ? 1e-12 * largest : delta * 100) {
            double[] shifted = h.clone();
            for (int i = 0; i < size; i++) {
                shifted[i * size + i] += delta;
            }
            try {
                return HostCholesky.of(shifted, size).solve(b);
            } catch (IllegalArgumentException e) {
                if (delta > largest) {
                    throw e;
                }
            }
        }
    }

    /** {@code A y - target} over the slots' columns (N). */
    private double[] residual(double[] y) {
        int width = members.length * dims;
        double[] packed = new double[width];
        for (int s = 0; s < members.length; s++) {
            System.arraycopy(y, members[s] * dims, packed, s * dims, dims);
        }
        double[] r = new double[n];
        IntStream.range(0, n).parallel().forEach(i -> {
            double sum = -target[i];
            int row = i * width;
            for (int j = 0; j < width; j++) {
                sum += columns[row + j] * packed[j];
            }
            r[i] = sum;
        });
        return r;
    }

    /** A^T r over the slots' columns (n, slot-major). */
    private double[] adjointOverSlots(double[] r) {
        int width = members.length * dims;
        double[] out = new double[width];
        int strips = Math.max(1, Math.min(4 * Runtime.getRuntime().availableProcessors(), width / 64));
        IntStream.range(0, strips).parallel().forEach(t -> {   // column strips: the same sums in the same order
            int from = (int) ((long) width * t / strips);
            int to = (int) ((long) width * (t + 1) / strips);
            for (int i = 0; i < n; i++) {
                int row = i * width;
                double ri = r[i];
                for (int j = from; j < to; j++) {
                    out[j] += columns[row + j] * ri;
                }
            }
        });
        return out;
    }

    /** {@code P_k (A_k^T r + beta_k y_k / ||y_k||)} per nonzero group (K d'), 0 elsewhere. */
    private double[] gradient(double[] y, double[] r) {
        double[] h = adjointOverSlots(r);
        double[] g = new double[groups * dims];
        for (int k : members) {
            if (!nonzero[k]) {
                continue;
            }
            double norm = Vectors.groupNorm(y, k, dims);
            for (int a = 0; a < dims; a++) {
                g[k * dims + a] = h[slotOf[k] * dims + a] + penalties[k] * y[k * dims + a] / norm;
            }
        }
        return project(g);
    }

    private double objective(double[] y, double[] r) {
        double value = 0.5 * Vectors.dot(r, r);
        for (int k : members) {
            if (nonzero[k]) {
                value += penalties[k] * Vectors.groupNorm(y, k, dims);
            }
        }
        return value;
    }

    /** Group k's projector onto the null space of its working rows; that null space's dimension. */
    private int setProjector(int k) {
        double[] basis = NullSpace.basis(normals[k], working.get(k), dims);
        NullSpace.projector(basis, dims, projectors, k * dims * dims);
        bases[k] = basis;
        return basis.length / dims;
    }

    /** {@code P_k v_k} per nonzero group, 0 elsewhere. */
    private double[] project(double[] v) {
        return projectGroups(projectors, v, nonzero, dims);
    }

    /** {@code P_k v_k} per group k where {@code nonzero[k]}, 0 elsewhere (K d'), for the K d' x d' projectors. */
    static double[] projectGroups(double[] projectors, double[] v, boolean[] nonzero, int dims) {
        double[] out = NewtonSystem.blockProduct(projectors, v, nonzero.length, dims);
        for (int k = 0; k < nonzero.length; k++) {
            if (!nonzero[k]) {
                Arrays.fill(out, k * dims, (k + 1) * dims, 0);
            }
        }
        return out;
    }
}
