package io.github.tangent4j.training;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.jacobian.BackpropSignals;
import io.github.tangent4j.jacobian.ForwardTrace;
import io.github.tangent4j.linalg.SingularValues;
import io.github.tangent4j.nn.DeviceMlp;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;

/**
 * The transposed masked parameter Jacobian {@code J_S^T} (M x N*O) of a network at a batch, formed on
 * the backend: one reverse sweep gives the backprop signals {@code Delta_l}; each layer with trainable
 * weights forms its Jacobian block {@code a_l Delta_l (x) H_{l-1}} (N*O x out*in) by a batched rank-1
 * GEMM and keeps its trainable columns by a GEMM with a 0/1 selection matrix (out*in x M_l), so nothing
 * leaves the device but the outputs. Rows follow {@link MaskedParameters}; column {@code i*O + o} is
 * output o of example i. Holds the selection matrices of one backend; close it to free them.
 */
final class MaskedJacobian implements AutoCloseable {
    private final Backend backend;
    private final MaskedParameters params;
    private final DeviceMatrix[] weightSelect;
    private final DeviceMatrix[] biasSelect;

    private MaskedJacobian(Backend backend, MaskedParameters params, DeviceMatrix[] weightSelect,
            DeviceMatrix[] biasSelect) {
        this.backend = backend;
        this.params = params;
        this.weightSelect = weightSelect;
        this.biasSelect = biasSelect;
    }

    /** Uploads the selection matrices of {@code params} for networks of {@code mlp}'s widths and dtype. */
    static MaskedJacobian upload(Backend backend, Mlp mlp, MaskedParameters params) {
        int layers = params.layers();
        DeviceMatrix[] w = new DeviceMatrix[layers];
        DeviceMatrix[] b = new DeviceMatrix[layers];
        MaskedJacobian j = new MaskedJacobian(backend, params, w, b);
        try {
            for (int l = 0; l < layers; l++) {
                Layer layer = mlp.layers().get(l);
                w[l] = selection(backend, mlp.dtype(), params.weightEntries(l), layer.out() * layer.in());
                b[l] = selection(backend, mlp.dtype(), params.biasEntries(l), layer.out());
            }
            return j;
        } catch (RuntimeException e) {
            j.close();
            throw e;
        }
    }

    private static DeviceMatrix selection(Backend backend, DType dtype, int[] entries, long size) {
        if (entries.length == 0) {
            return null;
        }
        Tensor s = Tensor.allocate(dtype, size, entries.length);
        for (int k = 0; k < entries.length; k++) {
            s.set(1, entries[k], k);
        }
        return backend.upload(s);
    }

    /**
     * One evaluation of a network.
     *
     * @param outputs      f(x) on the host (N, O)
     * @param jacobianT    {@code J_S^T} (M x N*O) on the backend, or null when only the outputs were asked for;
     *                     the caller closes it
     */
    record Evaluation(Tensor outputs, DeviceMatrix jacobianT) {
    }

    /** f(x) of {@code net} (same widths as the mask's network) at {@code x} (N x D on the backend). */
    Tensor outputs(Mlp net, DeviceMatrix x) {
        try (DeviceMlp d = DeviceMlp.upload(backend, net); DeviceMatrix y = d.forward(x)) {
            return backend.download(y);
        }
    }

    /** f(x) and {@code J_S^T} of {@code net} at {@code x} (N x D on the backend). */
    Evaluation evaluate(Mlp net, DeviceMatrix x) {
        long n = x.rows();
        long o = net.outputDim();
        long rows = n * o;
        DType dtype = net.dtype();
        try (DeviceMlp d = DeviceMlp.upload(backend, net);
             ForwardTrace t = ForwardTrace.of(d, x);
             BackpropSignals s = BackpropSignals.ofOutputs(t)) {
            Tensor outputs = backend.download(t.output());
            DeviceMatrix jt = backend.allocateUninitialised(dtype, params.count(), rows);
            try {
                for (int l = 0; l < params.layers(); l++) {
                    Layer layer = net.layers().get(l);
                    DeviceMatrix delta = s.signal(l);
                    if (weightSelect[l] != null) {
                        int from = params.weightOffset(l);
                        int m = params.weightEntries(l).length;
                        long width = layer.out() * layer.in();
                        try (DeviceMatrix block = backend.allocateUninitialised(dtype, rows * layer.out(), layer.in())) {
                            backend.gemmBatched(Math.toIntExact(n), false, false,
                                    net.parameterization().weightScale(layer.in()), delta.reshape(delta.size(), 1),
                                    t.input(l), 0, block);
                            backend.gemm(true, true, 1, weightSelect[l], block.reshape(rows, width), 0,
                                    jt.rows(from, from + m));
                        }
                    }
                    if (biasSelect[l] != null) {
                        int from = params.biasOffset(l);
                        int m = params.biasEntries(l).length;
                        backend.gemm(true, true, net.parameterization().biasScale(), biasSelect[l], delta, 0,
                                jt.rows(from, from + m));
                    }
                }
                return new Evaluation(outputs, jt);
            } catch (RuntimeException e) {
                jt.close();
                throw e;
            }
        }
    }

    /**
     * The rank of {@code J_S} of {@code net} at host inputs {@code x} (N, D): the singular values of the
     * downloaded M x N*O matrix above {@code max(M, N*O) * eps * sigma_max}, NumPy's {@code matrix_rank}
     * rule.
     */
    long rank(Mlp net, Tensor x) {
        try (DeviceMatrix xd = backend.upload(x)) {
            Evaluation e = evaluate(net, xd);
            try (DeviceMatrix jt = e.jacobianT()) {
                return rank(backend.download(jt).toDoubleArray(), params.count(), Math.toIntExact(jt.cols()));
            }
        }
    }

    /** The numerical rank of a row-major rows x cols matrix (NumPy's {@code matrix_rank} tolerance). */
    static long rank(double[] a, int rows, int cols) {
        double[] s = SingularValues.of(a, rows, cols);
        double tol = s.length == 0 ? 0 : s[0] * Math.max(rows, cols) * Math.ulp(1.0);
        long r = 0;
        for (double v : s) {
            r += v > tol ? 1 : 0;
        }
        return r;
    }

    @Override
    public void close() {
        for (DeviceMatrix m : weightSelect) {
            if (m != null) {
                m.close();
            }
        }
        for (DeviceMatrix m : biasSelect) {
            if (m != null) {
                m.close();
            }
        }
    }
}
