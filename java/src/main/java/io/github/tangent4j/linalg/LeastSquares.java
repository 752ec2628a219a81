package io.github.tangent4j.linalg;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * The minimum-norm least-squares solution of {@code A x ~ b} for a general (possibly rank-deficient)
 * m x n matrix, by EJML's SVD-based pseudo-inverse, and its residual. Used for the least-squares floor of
 * a linear fit.
 */
public final class LeastSquares {
    private LeastSquares() {
    }

    /**
     * The solution and what is left.
     *
     * @param x        the minimum-norm minimiser of {@code ||A x - b||}, n values
     * @param residual {@code ||A x - b||^2}
     */
    public record Solution(double[] x, double residual) {
    }

    /**
     * Solves for the row-major rows x cols matrix {@code a} and the vector {@code b} of rows values (neither
     * modified).
     *
     * @throws IllegalArgumentException if a length does not fit or a value is not finite
     */
    public static Solution solve(double[] a, int rows, int cols, double[] b) {
        Matrices.checkShape("a", a, rows, cols);
        Matrices.checkShape("b", b, rows, 1);
        if (rows == 0 || cols == 0) {
            double r = 0;
            for (double v : b) {
                r += v * v;
            }
            return new Solution(new double[cols], r);
        }
        LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.pseudoInverse(true);
        if (!solver.setA(DMatrixRMaj.wrap(rows, cols, a.clone()))) {
            throw new ArithmeticException("least squares: the SVD of a " + rows + " x " + cols
                    + " matrix did not converge");
        }
        DMatrixRMaj x = new DMatrixRMaj(cols, 1);
        solver.solve(DMatrixRMaj.wrap(rows, 1, b.clone()), x);
        double r = 0;
        for (int i = 0; i < rows; i++) {
            double s = -b[i];
            for (int j = 0; j < cols; j++) {
                s += a[i * cols + j] * x.data[j];
            }
            r += s * s;
        }
        return new Solution(x.data, r);
    }
}
