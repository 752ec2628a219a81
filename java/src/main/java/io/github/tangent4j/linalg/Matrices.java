package io.github.tangent4j.linalg;

import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import org.ejml.data.DMatrixRMaj;

/** Argument checks and conversions shared by the classes of this package. */
final class Matrices {
    private Matrices() {
    }

    /** Checks that {@code a} holds {@code rows * cols} finite values. */
    static void checkShape(String name, double[] a, int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException(name + ": expected non-negative dimensions but were " + rows + " x "
                    + cols);
        }
        if (a.length != (long) rows * cols) {
            throw new IllegalArgumentException(name + ": expected " + rows + " x " + cols + " = " + (long) rows * cols
                    + " values but got " + a.length);
        }
        for (int i = 0; i < a.length; i++) {
            if (!Double.isFinite(a[i])) {
                throw new IllegalArgumentException(name + ": expected finite values but element " + i + " is " + a[i]);
            }
        }
    }

    /** A copy of a rank-2 tensor as an EJML matrix. */
    static DMatrixRMaj of(String name, Tensor t) {
        if (t.rank() != 2 || t.dim(0) > Integer.MAX_VALUE || t.dim(1) > Integer.MAX_VALUE
                || t.size() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(name + ": expected a matrix (rank 2, under 2^31 elements) but the shape was "
                    + Shapes.format(t.shape()));
        }
        int rows = (int) t.dim(0);
        int cols = (int) t.dim(1);
        double[] a = t.toDoubleArray();
        checkShape(name, a, rows, cols);
        return DMatrixRMaj.wrap(rows, cols, a);
    }

    /** A copy of a square row-major array as an EJML matrix, checked. */
    static DMatrixRMaj square(String name, double[] a, int n) {
        checkShape(name, a, n, n);
        return DMatrixRMaj.wrap(n, n, a.clone());
    }
}
