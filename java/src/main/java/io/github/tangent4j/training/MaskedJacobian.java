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
import java.util.List;

/**
 * The transposed masked parameter Jacobian {@code J_S^T} (M x N*O) of a network at a batch, formed on
 * the backend without the full Jacobian. One reverse sweep gives the backprop signals {@code Delta_l}
 * (N*O x n_l); the row of trainable weight (u, v) of layer l is
 * {@code a_l Delta_l[:, u] (.) H_{l-1}[i(:), v]}, so a layer's M_l rows are two gathers done as GEMMs with
 * one-hot matrices, {@code E_u Delta_l^T} (M_l x N*O) and {@code E_v H_{l-1}^T} (M_l x N), and a row
 * scaling that repeats the second over the O outputs of each example: about
 * {@code 2 M_l N (O n_l + n_{l-1})} flops per layer instead of the {@code N O n_l n_{l-1}} of the layer's
 * whole Jacobian block. Bias rows are {@code c E_b Delta_l^T}. Rows follow {@link MaskedParameters};
 * column {@code i*O + o} is output o of example i. Holds the one-hot matrices of one backend; close it to
 * free them.
 */
final class MaskedJacobian implements AutoCloseable {
    private final Backend backend;
    private final MaskedParameters params;
    private final DeviceMatrix[] units;
    private final DeviceMatrix[] inputs;
    private final DeviceMatrix[] biasUnits;

    private MaskedJacobian(Backend backend, MaskedParameters params, int layers) {
        this.backend = backend;
        this.params = params;
        this.units = new DeviceMatrix[layers];
        this.inputs = new DeviceMatrix[layers];
        this.biasUnits = new DeviceMatrix[layers];
    }

    /** Uploads the one-hot matrices of {@code params} for networks of {@code mlp}'s widths and dtype. */
    static MaskedJacobian upload(Backend backend, Mlp mlp, MaskedParameters params) {
        int layers = params.layers();
        MaskedJacobian j = new MaskedJacobian(backend, params, layers);
        try {
            for (int l = 0; l < layers; l++) {
                Layer layer = mlp.layers().get(l);
                int[] w = params.weightEntries(l);
                if (w.length > 0) {
                    int in = Math.toIntExact(layer.in());
                    j.units[l] = oneHot(backend, mlp.dtype(), w, layer.out(), e -> e / in);
                    j.inputs[l] = oneHot(backend, mlp.dtype(), w, in, e -> e % in);
                }
                int[] b = params.biasEntries(l);
                if (b.length > 0) {
                    j.biasUnits[l] = oneHot(backend, mlp.dtype(), b, layer.out(), e -> e);
                }
            }
            return j;
        } catch (RuntimeException e) {
            j.close();
            throw e;
        }
    }

    /** The (entries x width) matrix with a 1 in row k at column {@code column(entries[k])}. */
    private static DeviceMatrix oneHot(Backend backend, DType dtype, int[] entries, long width,
            java.util.function.IntUnaryOperator column) {
        Tensor s = Tensor.allocate(dtype, entries.length, width);
        for (int k = 0; k < entries.length; k++) {
            s.set(1, k, column.applyAsInt(entries[k]));
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
                    if (units[l] != null) {
                        int from = params.weightOffset(l);
                        int m = params.weightEntries(l).length;
                        DeviceMatrix rowsOfL = jt.rows(from, from + m);
                        backend.gemm(false, true, net.parameterization().weightScale(layer.in()), units[l], delta, 0,
                                rowsOfL);
                        try (DeviceMatrix h = backend.allocateUninitialised(dtype, m, n)) {
                            backend.gemm(false, true, 1, inputs[l], t.input(l), 0, h);
                            backend.scaleRows(rowsOfL.reshape((long) m * n, o), h);
                        }
                    }
                    if (biasUnits[l] != null) {
                        int from = params.biasOffset(l);
                        int m = params.biasEntries(l).length;
                        backend.gemm(false, true, net.parameterization().biasScale(), biasUnits[l], delta, 0,
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
        for (DeviceMatrix[] set : List.of(units, inputs, biasUnits)) {
            for (DeviceMatrix m : set) {
                if (m != null) {
                    m.close();
                }
            }
        }
    }
}
