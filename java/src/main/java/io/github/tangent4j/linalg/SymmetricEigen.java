package io.github.tangent4j.linalg;

import java.util.Arrays;
import java.util.Comparator;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The eigendecomposition {@code A = V diag(values) V^T} of a real symmetric n x n matrix, by EJML's
 * symmetric QR algorithm (tridiagonalisation, then implicit QR steps). Eigenvalues ascending; column
 * i of V is the unit eigenvector of {@code values[i]}. The upper triangle is used as given; the
 * caller is responsible for symmetry up to rounding.
 */
public final class SymmetricEigen {
    private final int n;
    private final double[] values;
    private final double[] vectors;

    private SymmetricEigen(int n, double[] values, double[] vectors) {
        this.n = n;
        this.values = values;
        this.vectors = vectors;
    }

    /**
     * Decomposes the symmetric n x n row-major matrix {@code a} (not modified).
     *
     * @throws IllegalArgumentException if the length is not n * n or a value is not finite
     * @throws ArithmeticException      if the QR iteration does not converge
     */
    public static SymmetricEigen of(double[] a, int n) {
        DMatrixRMaj m = Matrices.square("a", a, n);
        if (n == 0) {
            return new SymmetricEigen(0, new double[0], new double[0]);
        }
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, true, true);
        if (!eig.decompose(m)) {
            throw new ArithmeticException("symmetric eigendecomposition of a " + n + " x " + n
                    + " matrix did not converge");
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> eig.getEigenvalue(i).real));
        double[] values = new double[n];
        double[] vectors = new double[n * n];
        for (int c = 0; c < n; c++) {
            values[c] = eig.getEigenvalue(order[c]).real;
            DMatrixRMaj v = eig.getEigenVector(order[c]);
            for (int r = 0; r < n; r++) {
                vectors[r * n + c] = v.get(r, 0);
            }
        }
        return new SymmetricEigen(n, values, vectors);
    }

    /** The order n. */
    public int size() {
        return n;
    }

    /** The eigenvalues, ascending (a copy). */
    public double[] values() {
        return values.clone();
    }

    /** V, row-major n x n, column i the unit eigenvector of {@code values()[i]} (a copy). */
    public double[] vectors() {
        return vectors.clone();
    }

    /**
     * {@code V diag(g(values)) V^T B} for a row-major n x cols matrix B: a function of the matrix
     * applied to B, in O(n^2 cols) after the decomposition.
     *
     * @param g a function of one eigenvalue
     */
    public double[] applyFunction(java.util.function.DoubleUnaryOperator g, double[] b, int cols) {
        Matrices.checkShape("b", b, n, cols);
        if (n == 0 || cols == 0) {
            return new double[n * cols];
        }
        DMatrixRMaj v = DMatrixRMaj.wrap(n, n, vectors);
        DMatrixRMaj w = new DMatrixRMaj(n, cols);
        CommonOps_DDRM.multTransA(v, DMatrixRMaj.wrap(n, cols, b), w);
        for (int k = 0; k < n; k++) {
            double s = g.applyAsDouble(values[k]);
            for (int c = 0; c < cols; c++) {
                w.data[k * cols + c] *= s;
            }
        }
        DMatrixRMaj out = new DMatrixRMaj(n, cols);
        CommonOps_DDRM.mult(v, w, out);
        return out.data;
    }
}
