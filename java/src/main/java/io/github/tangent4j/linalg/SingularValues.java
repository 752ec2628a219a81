package io.github.tangent4j.linalg;

import io.github.tangent4j.tensor.Tensor;
import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * Singular values of a general m x n matrix, descending, without the singular vectors (EJML's SVD by
 * bidiagonalisation and implicit QR). For the rank of a parameter Jacobian: count the values above a
 * tolerance such as {@code max(m, n) * ulp(sigma_max)}.
 */
public final class SingularValues {
    private SingularValues() {
    }

    /**
     * The min(m, n) singular values of a rank-2 tensor (F32 or F64, read as doubles), descending.
     *
     * @throws IllegalArgumentException if the tensor is not a matrix or holds a non-finite value
     * @throws ArithmeticException      if the iteration does not converge
     */
    public static double[] of(Tensor matrix) {
        return of(Matrices.of("matrix", matrix));
    }

    /** The min(rows, cols) singular values of a row-major rows x cols matrix (not modified), descending. */
    public static double[] of(double[] a, int rows, int cols) {
        Matrices.checkShape("a", a, rows, cols);
        return of(DMatrixRMaj.wrap(rows, cols, a.clone()));
    }

    private static double[] of(DMatrixRMaj m) {
        int k = Math.min(m.numRows, m.numCols);
        if (k == 0) {
            return new double[0];
        }
        SingularValueDecomposition_F64<DMatrixRMaj> svd =
                DecompositionFactory_DDRM.svd(m.numRows, m.numCols, false, false, true);
        if (!svd.decompose(m)) {
            throw new ArithmeticException("SVD of a " + m.numRows + " x " + m.numCols + " matrix did not converge");
        }
        double[] s = Arrays.copyOf(svd.getSingularValues(), k);
        Arrays.sort(s);
        for (int i = 0; i < k / 2; i++) {
            double t = s[i];
            s[i] = s[k - 1 - i];
            s[k - 1 - i] = t;
        }
        return s;
    }
}
