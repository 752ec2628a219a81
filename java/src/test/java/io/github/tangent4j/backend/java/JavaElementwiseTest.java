package io.github.tangent4j.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Java backend's elementwise primitives (vector bodies and scalar tails) against the scalar
 * definitions, on sizes that leave tails and on special values (0, -0, NaN, infinities).
 */
class JavaElementwiseTest {
    private static final List<Activation> ALL = List.of(Activation.RELU, Activation.leakyRelu(0.2), Activation.ABS,
            Activation.TANH, Activation.ERF, Activation.IDENTITY);
    private static final double[] SPECIAL = {0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
        1e-300, -1e-300, 3.5, -2.25};

    private static Tensor random(DType t, long rows, long cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor x = Tensor.allocate(t, rows, cols);
        for (long i = 0; i < x.size(); i++) {
            x.setFlat(i, i < SPECIAL.length ? SPECIAL[(int) i] : r.nextGaussian());
        }
        return x;
    }

    private static void assertSame(double want, double got, DType t, String what) {
        if (Double.isNaN(want)) {
            assertEquals(Double.NaN, got, what);
        } else {
            double tol = t == DType.F64 ? 1e-15 : 1e-6;
            assertEquals(want, got, tol * Math.max(1, Math.abs(want)), what);
        }
    }

    @Test
    void activationAndDerivativeMatchTheScalarDefinitions() {
        try (Backend b = new JavaBackend()) {
            for (DType t : new DType[] {DType.F64, DType.F32}) {
                for (long cols : new long[] {1, 7, 8, 16, 37}) {
                    Tensor z = random(t, 3, cols, cols);
                    for (Activation phi : ALL) {
                        for (boolean derivative : new boolean[] {false, true}) {
                            try (DeviceMatrix zm = b.upload(z); DeviceMatrix h = b.allocate(t, 3, cols)) {
                                if (derivative) {
                                    b.derivative(phi, zm, h);
                                } else {
                                    b.activate(phi, zm, h);
                                }
                                Tensor got = b.download(h);
                                for (long i = 0; i < z.size(); i++) {
                                    double x = z.getFlat(i);
                                    double want = derivative ? phi.derivative(x) : phi.value(x);
                                    if (t == DType.F32) {
                                        want = (float) want;
                                    }
                                    assertSame(want, got.getFlat(i), t, phi + (derivative ? "'" : "") + "(" + x + ")");
                                }
                            }
                        }
                    }
                }
            }
            assertEquals(0, b.openAllocations());
        }
    }

    @Test
    void rowAndColumnOperationsSumsAndSignBits() {
        try (Backend b = new JavaBackend()) {
            for (DType t : new DType[] {DType.F64, DType.F32}) {
                for (long cols : new long[] {1, 9, 64, 70, 130}) {
                    long rows = 6;
                    Tensor m = random(t, rows, cols, 3 + cols);
                    m.setFlat(0, 0);   // no NaN or infinities here: sums and products compare exactly
                    for (long i = 0; i < Math.min(m.size(), SPECIAL.length); i++) {
                        m.setFlat(i, i % 2 == 0 ? 0 : -0.0);
                    }
                    Tensor v = random(t, 1, cols, 5);
                    Tensor r = random(t, rows, 1, 6);
                    Tensor small = random(t, 2, cols, 7);
                    for (long i = 0; i < SPECIAL.length; i++) {
                        v.setFlat(i % v.size(), 1.5);
                        r.setFlat(i % r.size(), -0.5);
                        small.setFlat(i % small.size(), 2);
                    }
                    try (DeviceMatrix mm = b.upload(m); DeviceMatrix vm = b.upload(v); DeviceMatrix rm = b.upload(r);
                            DeviceMatrix sm = b.upload(small); DeviceMatrix out = b.allocate(t, rows, cols);
                            DeviceMatrix colSums = b.allocate(t, 1, cols); DeviceMatrix rowSums = b.allocate(t, rows, 1)) {
                        b.hadamard(mm, sm, out);   // each row of `small` repeated 3 times
                        Tensor h = b.download(out);
                        b.sum(mm, 0, colSums);
                        b.sum(mm, 1, rowSums);
                        Tensor cs = b.download(colSums);
                        Tensor rs = b.download(rowSums);
                        Tensor bits = b.signBits(mm);
                        b.addRowVector(mm, vm);
                        Tensor added = b.download(mm);
                        b.scaleRows(mm, rm);
                        Tensor scaledRows = b.download(mm);
                        b.scaleColumns(mm, vm);
                        Tensor scaledCols = b.download(mm);
                        for (long i = 0; i < rows; i++) {
                            double rowSum = 0;
                            for (long j = 0; j < cols; j++) {
                                double x = m.get(i, j);
                                rowSum += x;
                                assertSame(x * small.get(i / 3, j), h.get(i, j), t, "hadamard");
                                double plus = t == DType.F32 ? (float) (x + v.get(0, j)) : x + v.get(0, j);
                                assertSame(plus, added.get(i, j), t, "addRowVector");
                                double sr = t == DType.F32 ? (float) (plus * r.get(i, 0)) : plus * r.get(i, 0);
                                assertSame(sr, scaledRows.get(i, j), t, "scaleRows");
                                assertSame(sr * v.get(0, j), scaledCols.get(i, j), t, "scaleColumns");
                                long word = bits.getLong(i, j / 64);
                                assertEquals(x > 0, ((word >>> (j % 64)) & 1) == 1, "signBits " + i + "," + j);
                            }
                            assertEquals(rowSum, rs.get(i, 0), (t == DType.F64 ? 1e-12 : 1e-4) * cols, "row sum");
                        }
                        for (long j = 0; j < cols; j++) {
                            double s = 0;
                            for (long i = 0; i < rows; i++) {
                                s += m.get(i, j);
                            }
                            assertEquals(s, cs.get(0, j), t == DType.F64 ? 1e-12 : 1e-4, "column sum");
                        }
                        long usedBits = cols % 64;
                        if (usedBits != 0) {
                            for (long i = 0; i < rows; i++) {
                                long last = bits.getLong(i, (cols - 1) / 64);
                                assertEquals(0, last >>> usedBits, "unused high bits are zero");
                            }
                        }
                    }
                }
            }
            assertEquals(0, b.openAllocations());
        }
    }

    @Test
    void fillCoversVectorBodyAndTail() {
        try (Backend b = new JavaBackend()) {
            for (DType t : new DType[] {DType.F64, DType.F32}) {
                try (DeviceMatrix m = b.allocate(t, 3, 19)) {
                    b.fill(m, 2.5);
                    Tensor x = b.download(m);
                    for (long i = 0; i < x.size(); i++) {
                        assertEquals(2.5, x.getFlat(i));
                    }
                }
            }
        }
    }
}
