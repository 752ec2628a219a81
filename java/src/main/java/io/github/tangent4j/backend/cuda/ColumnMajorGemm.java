package io.github.tangent4j.backend.cuda;

import io.github.tangent4j.backend.BackendException;

/**
 * The one place where a row-major GEMM becomes a cuBLAS (column-major) call. A row-major m x n
 * matrix C occupies the same memory as the column-major n x m matrix C^T, and
 * {@code C = op(A) op(B)} is {@code C^T = op(B)^T op(A)^T}: so cuBLAS gets the operands swapped
 * (first B, then A), m and n swapped, the same transpose flags, and leading dimensions equal to the
 * row-major column counts. Strides (for the strided-batched form) are the sizes of one block.
 *
 * @param opFirst   cuBLAS op of the first operand (row-major B)
 * @param opSecond  cuBLAS op of the second operand (row-major A)
 * @param m         cuBLAS m (= row-major n)
 * @param n         cuBLAS n (= row-major m)
 * @param k         the inner dimension
 * @param ldFirst   leading dimension of B (its column count)
 * @param ldSecond  leading dimension of A (its column count)
 * @param ldc       leading dimension of C (its column count)
 * @param strideFirst  elements between consecutive B blocks
 * @param strideSecond elements between consecutive A blocks
 * @param strideC      elements between consecutive C blocks
 */
record ColumnMajorGemm(int opFirst, int opSecond, int m, int n, int k, int ldFirst, int ldSecond, int ldc,
        long strideFirst, long strideSecond, long strideC) {

    /**
     * The cuBLAS arguments for row-major {@code C = op(A) op(B)} with op(A) m x k, op(B) k x n and
     * the given column counts of A, B and C.
     *
     * @throws BackendException if a dimension exceeds cuBLAS's 32-bit {@code int}
     */
    static ColumnMajorGemm ofRowMajor(boolean transA, boolean transB, long m, long n, long k, long aCols,
            long bCols, long cCols) {
        return new ColumnMajorGemm(
                transB ? Cublas.CUBLAS_OP_T : Cublas.CUBLAS_OP_N,
                transA ? Cublas.CUBLAS_OP_T : Cublas.CUBLAS_OP_N,
                toInt("n", n), toInt("m", m), toInt("k", k),
                // cuBLAS requires ld >= 1 even when a dimension is 0
                toInt("b.cols()", Math.max(bCols, 1)), toInt("a.cols()", Math.max(aCols, 1)),
                toInt("c.cols()", Math.max(cCols, 1)),
                k * n, m * k, m * n);
    }

    private static int toInt(String what, long v) {
        if (v > Integer.MAX_VALUE) {
            throw new BackendException("cuBLAS GEMM: " + what + " = " + v + " exceeds the 32-bit limit "
                    + Integer.MAX_VALUE + "; split the product");
        }
        return (int) v;
    }
}
