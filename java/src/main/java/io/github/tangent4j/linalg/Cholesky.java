package io.github.tangent4j.linalg;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * The Cholesky factorisation {@code A = L L^T} of a symmetric positive definite n x n matrix, by EJML,
 * and solves {@code A X = B} with it. Used for Gaussian-process posteriors (Rasmussen and Williams,
 * "Gaussian Processes for Machine Learning", 2006, algorithm 2.1).
 */
public final class Cholesky {
    private final int n;
    private final LinearSolverDense<DMatrixRMaj> solver;

    private Cholesky(int n, LinearSolverDense<DMatrixRMaj> solver) {
        this.n = n;
        this.solver = solver;
    }

    /**
     * Factors the symmetric n x n row-major matrix {@code a} (not modified).
     *
     * @throws IllegalArgumentException if the length is not n * n, a value is not finite, or the matrix
     *                                  is not numerically positive definite (add a diagonal regulariser)
     */
    public static Cholesky of(double[] a, int n) {
        DMatrixRMaj m = Matrices.square("a", a, n);
        LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.chol(Math.max(n, 1));
        if (n > 0 && !solver.setA(m)) {
            throw new IllegalArgumentException("a: expected a symmetric positive definite " + n + " x " + n
                    + " matrix but the Cholesky factorisation failed (add a positive diagonal regulariser)");
        }
        return new Cholesky(n, solver);
    }

    /** The order n. */
    public int size() {
        return n;
    }

    /** X with {@code A X = B} for a row-major n x cols matrix B (not modified); row-major n x cols. */
    public double[] solve(double[] b, int cols) {
        Matrices.checkShape("b", b, n, cols);
        if (n == 0 || cols == 0) {
            return new double[n * cols];
        }
        DMatrixRMaj x = new DMatrixRMaj(n, cols);
        solver.solve(DMatrixRMaj.wrap(n, cols, b.clone()), x);
        return x.data;
    }
}
