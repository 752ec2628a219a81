package io.github.tangent4j.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.tangent4j.backend.cuda.Emu;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Java and CUDA backends agree on a two-layer forward and backward pass built from every
 * primitive (F64 to 1e-12 and F32 to 1e-5 relative to the largest entry of each result, sign bits exactly).
 */
class BackendAgreementTest {

    /** Every intermediate result of the pipeline, downloaded. */
    private static List<Tensor> pipeline(Backend b, DType t, Activation phi) {
        SplittableRandom rnd = new SplittableRandom(42);
        int n = 37;
        int d = 23;
        int w = 70;
        int o = 3;
        List<Tensor> out = new ArrayList<>();
        DeviceMatrix x = b.upload(TestBackends.tensor(t, TestBackends.random(rnd, t, (long) n * d), n, d));
        DeviceMatrix w1 = b.upload(TestBackends.tensor(t, TestBackends.random(rnd, t, (long) w * d), w, d));
        DeviceMatrix b1 = b.upload(TestBackends.tensor(t, TestBackends.random(rnd, t, w), w));
        DeviceMatrix w2 = b.upload(TestBackends.tensor(t, TestBackends.random(rnd, t, (long) o * w), o, w));
        DeviceMatrix z = b.allocate(t, n, w);
        b.gemm(false, true, 1, x, w1, 0, z); // Z = X W1^T
        b.addRowVector(z, b1);
        out.add(b.download(z));
        DeviceMatrix h = b.allocate(t, n, w);
        b.activate(phi, z, h);
        out.add(b.download(h));
        DeviceMatrix dz = b.allocate(t, n, w);
        b.derivative(phi, z, dz);
        out.add(b.download(dz));
        DeviceMatrix y = b.allocate(t, n, o);
        b.gemm(false, true, 1, h, w2, 0, y);
        out.add(b.download(y));
        // input Jacobian: M = W2 repeated per example, scaled by phi'(Z) of its example, times W1
        DeviceMatrix m = b.allocate(t, (long) n * o, w);
        for (int i = 0; i < n; i++) {
            b.copy(w2, m.rows((long) i * o, (long) (i + 1) * o));
        }
        b.hadamard(m, dz, m);
        DeviceMatrix jac = b.allocate(t, (long) n * o, d);
        b.gemmBatched(1, false, false, 1, m, w1, 0, jac);
        out.add(b.download(jac));
        // per-example Gram of the Jacobian rows, batched: (o x d)(d x o) per example
        DeviceMatrix gram = b.allocate(t, (long) n * o, o);
        b.gemmBatched(n, false, true, 1, jac, jac, 0, gram);
        out.add(b.download(gram));
        b.scaleRows(h, sumOver(b, t, h));
        out.add(b.download(h));
        DeviceMatrix s0 = b.allocate(t, 1, w);
        b.sum(h, 0, s0);
        out.add(b.download(s0));
        b.scaleColumns(h, s0);
        out.add(b.download(h));
        out.add(b.signBits(z));
        b.close();
        return out;
    }

    /** Sum of each row of h (n elements). */
    private static DeviceMatrix sumOver(Backend b, DType t, DeviceMatrix h) {
        DeviceMatrix s = b.allocate(t, h.rows(), 1);
        b.sum(h, 1, s);
        return s;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F64", "F32"})
    void javaAndCudaAgree(DType t) {
        TestBackends.requireEmu();
        for (Activation phi : BackendConformanceTest.ACTIVATIONS) {
            List<Tensor> java = pipeline(TestBackends.open("java"), t, phi);
            List<Tensor> cuda = new ArrayList<>();
            TestBackends.with("cuda", b -> cuda.addAll(pipeline(b, t, phi)));
            assertEquals(java.size(), cuda.size());
            for (int s = 0; s < java.size(); s++) {
                Tensor a = java.get(s);
                Tensor c = cuda.get(s);
                assertArrayEquals(a.shape(), c.shape());
                if (a.dtype() == DType.I64) {
                    assertEquals(a.segment().mismatch(c.segment()), -1, phi + " step " + s + ": sign bits differ");
                    continue;
                }
                double[] x = a.toDoubleArray();
                double[] y = c.toDoubleArray();
                double max = 0;
                for (double v : x) {
                    max = Math.max(max, Math.abs(v));
                }
                for (int i = 0; i < x.length; i++) {
                    // normwise relative: the two backends sum in different orders, so an entry that cancels
                    // to near zero differs by rounding relative to its terms, not to itself (elementwise
                    // accuracy against references is BackendConformanceTest's job)
                    if (!(Math.abs(x[i] - y[i]) <= TestBackends.tolerance(t) * max)) {
                        fail(phi + " " + t + " step " + s + " element " + i + ": java " + x[i] + " cuda " + y[i]);
                    }
                }
            }
        }
    }

    /**
     * Special values through every activation and derivative give the same bits on both backends, and
     * NaN propagates through the values as PyTorch's do (relu(NaN) = NaN on every device).
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F64", "F32"})
    void specialValuesGiveTheSameBitsOnBothBackends(DType t) {
        TestBackends.requireEmu();
        double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, 1, -1, 0.1,
            -0.3, 1e-30, -1e-30};
        for (Activation phi : BackendConformanceTest.ACTIVATIONS) {
            for (boolean derivative : new boolean[] {false, true}) {
                List<double[]> results = new ArrayList<>();
                for (String name : TestBackends.names()) {
                    TestBackends.with(name, b -> {
                        try (DeviceMatrix z = b.upload(TestBackends.tensor(t, special, 1, special.length))) {
                            if (derivative) {
                                b.derivative(phi, z, z);
                            } else {
                                b.activate(phi, z, z);
                            }
                            results.add(b.download(z).toDoubleArray());
                        }
                    });
                }
                String what = (derivative ? "d" : "") + phi + " " + t;
                for (int i = 0; i < special.length; i++) {
                    double java = results.get(0)[i];
                    double cuda = results.get(1)[i];
                    boolean exactlyEqual = Double.doubleToLongBits(java) == Double.doubleToLongBits(cuda);
                    boolean closeSmooth = (phi.kind() == Activation.Kind.TANH || phi.kind() == Activation.Kind.ERF)
                            && Math.abs(java - cuda) <= TestBackends.tolerance(t) * Math.max(1, Math.abs(java));
                    if (!exactlyEqual && !closeSmooth && !(Double.isNaN(java) && Double.isNaN(cuda))) {
                        fail(what + " of " + special[i] + ": java " + java + " cuda " + cuda);
                    }
                    if (!derivative && Double.isNaN(special[i])) {
                        assertTrue(Double.isNaN(java), what + "(NaN) must be NaN");
                    }
                }
            }
        }
    }
}
