package io.github.tangent4j.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.testing.Gaussian;
import org.junit.jupiter.api.Test;

/**
 * The row operations large enough to be split over the compute pool ({@link JavaElementwise#PARALLEL_ELEMENTS}):
 * every element of a Hadamard product with repeated rows (in place and not), and of a row-vector sum, equals
 * the one product or sum it stands for, whatever block of rows a thread took.
 */
class ParallelRowOperationsTest {
    private static double rounded(DType t, double v) {
        return t == DType.F32 ? (float) v : v;
    }

    @Test
    void hadamardWithRepeatedRowsAndRowVectorSumsAreExactOnEveryRowBlock() {
        long repeat = 10;
        long examples = 257;   // an odd count: the row blocks split an example's rows
        long rows = examples * repeat;
        long cols = 131;
        assertTrue(rows * cols >= JavaElementwise.PARALLEL_ELEMENTS, "large enough to be split");
        try (Backend b = new JavaBackend()) {
            for (DType t : new DType[] {DType.F64, DType.F32}) {
                Tensor a = Gaussian.matrix(1, t, rows, cols);
                Tensor s = Gaussian.matrix(2, t, examples, cols);
                Tensor v = Gaussian.matrix(3, t, 1, cols);
                try (DeviceMatrix am = b.upload(a); DeviceMatrix sm = b.upload(s); DeviceMatrix vm = b.upload(v);
                     DeviceMatrix out = b.allocate(t, rows, cols)) {
                    b.hadamard(am, sm, out);
                    Tensor product = b.download(out);
                    b.hadamard(am, sm, am);   // in place
                    Tensor inPlace = b.download(am);
                    b.addRowVector(out, vm);
                    Tensor sum = b.download(out);
                    for (long i = 0; i < rows; i++) {
                        for (long j = 0; j < cols; j++) {
                            double want = rounded(t, a.get(i, j) * s.get(i / repeat, j));
                            assertEquals(want, product.get(i, j), t + " hadamard " + i + "," + j);
                            assertEquals(want, inPlace.get(i, j), t + " in-place hadamard " + i + "," + j);
                            assertEquals(rounded(t, want + v.get(0, j)), sum.get(i, j), t + " addRowVector " + i + "," + j);
                        }
                    }
                }
            }
            assertEquals(0, b.openAllocations());
        }
    }
}
