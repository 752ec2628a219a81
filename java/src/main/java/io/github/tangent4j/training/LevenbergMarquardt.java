package io.github.tangent4j.training;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.linalg.Cholesky;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;

/**
 * Levenberg–Marquardt on the masked parameter Jacobian ({@link MaskedFit}). The Gram matrix and the
 * gradient are GEMMs on the backend ({@code J_S^T J_S} (M x M) and {@code J_S^T r} when M <= N*O,
 * otherwise {@code J_S J_S^T} (N*O x N*O)); only they cross to the host, where the damped system is solved
 * by Cholesky. Damping follows Nielsen: start at {@code 1e-3 * max diag}, on a step whose gain ratio
 * rho > 0 multiply mu by {@code max(1/3, 1 - (2 rho - 1)^3)}, else by nu and double nu (Madsen, Nielsen
 * and Tingleff 2004, algorithm 3.16).
 *
 * @param config the fit's settings and starting network
 * @param params the trainable parameters' positions
 * @param target the loss at which to stop
 */
record LevenbergMarquardt(MaskedFit config, MaskedParameters params, double target) {
    private static final double TAU = 1e-3;
    /** Beyond this damping a step is shorter than rounding: the loss cannot decrease any more. */
    private static final double MAX_DAMPING = 1e300;

    MaskedFit.Result run(Backend backend, Tensor x, Tensor y) {
        Mlp start = config.mlp();
        DType dtype = start.dtype();
        int m = params.count();
        long equations = x.dim(0) * start.outputDim();
        long order = Math.min(equations, m);
        if (equations > Integer.MAX_VALUE || order * order > Integer.MAX_VALUE - 8
                || m * equations > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("method: Levenberg-Marquardt needs J_S (" + m + " x " + equations
                    + ") and a " + order + " x " + order + " Gram matrix, each under 2^31 elements;"
                    + " use Method.ADAM (--method adam) for a problem this large");
        }
        return run(backend, x, y, start, dtype, m, (int) equations);
    }

    private MaskedFit.Result run(Backend backend, Tensor x, Tensor y, Mlp start, DType dtype, int m, int rows) {
        boolean dual = rows < m;
        int order = dual ? rows : m;
        double[] theta = params.values(start);
        Mlp current = start;
        double[] r = new double[rows];
        try (MaskedJacobian jac = MaskedJacobian.upload(backend, start, params);
             DeviceMatrix xd = backend.upload(x);
             DeviceMatrix rd = backend.allocateUninitialised(dtype, rows, 1);
             DeviceMatrix gd = backend.allocateUninitialised(dtype, m, 1);
             DeviceMatrix gram = backend.allocateUninitialised(dtype, order, order)) {
            MaskedJacobian.Evaluation e = jac.evaluate(current, xd);
            DeviceMatrix jt = e.jacobianT();
            try {
                double s = MaskedFit.squaredError(e.outputs(), y, r);
                MaskedFit.checkFinite(s, 0, "Levenberg-Marquardt");
                double mu = -1;
                double nu = 2;
                int step = 0;
                while (true) {
                    double loss = s / rows;
                    if (loss <= target) {
                        return new MaskedFit.Result(current, loss, step, MaskedFit.StopReason.TOLERANCE, target);
                    }
                    if (step >= config.steps()) {
                        return new MaskedFit.Result(current, loss, step, MaskedFit.StopReason.STEP_BUDGET, target);
                    }
                    backend.upload(Tensor.of(r, rows, 1).to(dtype), rd);
                    backend.gemm(false, false, 1, jt, rd, 0, gd);
                    if (dual) {
                        backend.gemm(true, false, 1, jt, jt, 0, gram);
                    } else {
                        backend.gemm(false, true, 1, jt, jt, 0, gram);
                    }
                    double[] g = backend.download(gd).toDoubleArray();
                    double[] a = backend.download(gram).toDoubleArray();
                    if (mu < 0) {
                        double maxDiag = 0;
                        for (int i = 0; i < order; i++) {
                            maxDiag = Math.max(maxDiag, a[i * order + i]);
                        }
                        mu = TAU * (maxDiag > 0 ? maxDiag : 1);
                    }
                    boolean accepted = false;
                    while (!accepted) {
                        if (step >= config.steps()) {
                            return new MaskedFit.Result(current, loss, step, MaskedFit.StopReason.STEP_BUDGET, target);
                        }
                        if (mu > MAX_DAMPING) {
                            return new MaskedFit.Result(current, loss, step, MaskedFit.StopReason.NO_IMPROVEMENT,
                                    target);
                        }
                        step++;
                        double[] delta = solve(backend, jt, a, order, mu, r, g, dual, dtype);
                        if (delta == null) {
                            mu *= nu;
                            nu *= 2;
                            continue;
                        }
                        double[] next = theta.clone();
                        double stepNorm2 = 0;
                        double gDelta = 0;
                        boolean finite = true;
                        for (int i = 0; i < m; i++) {
                            next[i] += delta[i];
                            finite &= Double.isFinite(next[i]);
                            stepNorm2 += delta[i] * delta[i];
                            gDelta += g[i] * delta[i];
                        }
                        double predicted = mu * stepNorm2 - gDelta;   // S - ||r + J delta||^2, >= 0
                        double sNew = Double.NaN;
                        Mlp candidate = null;
                        if (finite) {
                            candidate = params.with(next);
                            sNew = MaskedFit.squaredError(jac.outputs(candidate, xd), y, null);
                        }
                        if (Double.isFinite(sNew) && sNew < s && predicted > 0) {
                            double rho = (s - sNew) / predicted;
                            mu *= Math.max(1.0 / 3, 1 - Math.pow(2 * rho - 1, 3));
                            nu = 2;
                            double improvement = (s - sNew) / s;
                            theta = next;
                            current = candidate;
                            jt.close();
                            jt = null;
                            e = jac.evaluate(current, xd);
                            jt = e.jacobianT();
                            s = MaskedFit.squaredError(e.outputs(), y, r);
                            config.report(step, s / rows);
                            accepted = true;
                            if (improvement < config.minImprovement() && s / rows > target) {
                                return new MaskedFit.Result(current, s / rows, step,
                                        MaskedFit.StopReason.NO_IMPROVEMENT, target);
                            }
                        } else {
                            mu *= nu;
                            nu *= 2;
                        }
                    }
                }
            } finally {
                if (jt != null) {
                    jt.close();
                }
            }
        }
    }

    /**
     * The step delta (M) of the damped system, or null when the factorisation fails (mu too small for the
     * rounding of the Gram matrix; the caller raises mu).
     */
    private static double[] solve(Backend backend, DeviceMatrix jt, double[] gram, int order, double mu, double[] r,
            double[] g, boolean dual, DType dtype) {
        double[] a = gram.clone();
        for (int i = 0; i < order; i++) {
            a[i * order + i] += mu;
        }
        Cholesky chol;
        try {
            chol = Cholesky.of(a, order);
        } catch (IllegalArgumentException notPositiveDefinite) {
            return null;
        }
        if (!dual) {
            double[] minusG = new double[g.length];
            for (int i = 0; i < g.length; i++) {
                minusG[i] = -g[i];
            }
            return chol.solve(minusG, 1);
        }
        double[] alpha = chol.solve(r, 1);
        try (DeviceMatrix ad = backend.upload(Tensor.of(alpha, alpha.length, 1).to(dtype));
             DeviceMatrix dd = backend.allocateUninitialised(dtype, jt.rows(), 1)) {
            backend.gemm(false, false, -1, jt, ad, 0, dd);
            return backend.download(dd).toDoubleArray();
        }
    }
}
