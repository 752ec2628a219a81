package io.github.tangent4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The row-major to column-major conversion, checked without any native code: a column-major GEMM
 * written from cuBLAS's definition, run with the arguments {@link ColumnMajorGemm} produces on
 * row-major storage, must give the row-major product.
 */
class ColumnMajorGemmTest {

    /** cuBLAS's definition: column-major, element (i, j) of X at x[i + j * ldx]. */
    static void columnMajorGemm(int opA, int opB, int m, int n, int k, double alpha, double[] a, int offA, int lda,
            double[] b, int offB, int ldb, double beta, double[] c, int offC, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double x = opA == Cublas.CUBLAS_OP_N ? a[offA + i + p * lda] : a[offA + p + i * lda];
                    double y = opB == Cublas.CUBLAS_OP_N ? b[offB + p + j * ldb] : b[offB + j + p * ldb];
                    s += x * y;
                }
                c[offC + i + j * ldc] = alpha * s + (beta == 0 ? 0 : beta * c[offC + i + j * ldc]);
            }
        }
    }

    @ParameterizedTest(name = "transA={0} transB={1} m={2} n={3} k={4}")
    @CsvSource({
        "false,false,3,5,7", "true,false,3,5,7", "false,true,3,5,7", "true,true,3,5,7",
        "false,false,1,17,2", "true,true,17,1,3", "false,true,4,4,1", "true,false,2,9,6"})
    void swappedOperandsGiveTheRowMajorProduct(boolean ta, boolean tb, int m, int n, int k) {
        SplittableRandom rnd = new SplittableRandom(m * 100 + n * 10 + k);
        int batch = 2;
        double[] a = rnd.doubles(batch * m * k, -1, 1).toArray();
        double[] b = rnd.doubles(batch * k * n, -1, 1).toArray();
        double[] c = rnd.doubles(batch * m * n, -1, 1).toArray();
        double[] expected = c.clone();
        int aCols = ta ? m : k;
        int bCols = tb ? k : n;
        for (int q = 0; q < batch; q++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) {
                        double x = ta ? a[q * m * k + p * aCols + i] : a[q * m * k + i * aCols + p];
                        double y = tb ? b[q * k * n + j * bCols + p] : b[q * k * n + p * bCols + j];
                        s += x * y;
                    }
                    expected[q * m * n + i * n + j] = 2 * s - 0.5 * c[q * m * n + i * n + j];
                }
            }
        }
        ColumnMajorGemm g = ColumnMajorGemm.ofRowMajor(ta, tb, m, n, k, aCols, bCols, n);
        for (int q = 0; q < batch; q++) {
            columnMajorGemm(g.opFirst(), g.opSecond(), g.m(), g.n(), g.k(), 2,
                    b, (int) (q * g.strideFirst()), g.ldFirst(),
                    a, (int) (q * g.strideSecond()), g.ldSecond(), -0.5,
                    c, (int) (q * g.strideC()), g.ldc());
        }
        for (int i = 0; i < c.length; i++) {
            assertEquals(expected[i], c[i], 1e-12, "element " + i);
        }
    }
}
