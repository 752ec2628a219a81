package io.github.tangent4j.kernels;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.jacobian.BackpropSignals;
import io.github.tangent4j.jacobian.ForwardTrace;
import io.github.tangent4j.nn.DeviceMlp;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.Tensor;

/**
 * The structured derivatives of a block of examples on the backend: each layer's input {@code H_{l-1}}
 * and backprop signals {@code Delta_l} (from the Jacobian family's one reverse sweep), which is all the
 * empirical NTK needs — the parameter Jacobian is never formed.
 */
final class NtkFeatures implements NtkMethod.Features {
    private final DeviceMatrix x;
    private final ForwardTrace trace;
    private final BackpropSignals signals;

    private NtkFeatures(DeviceMatrix x, ForwardTrace trace, BackpropSignals signals) {
        this.x = x;
        this.trace = trace;
        this.signals = signals;
    }

    /** Uploads rows {@code [from, to)} of x and runs the forward and reverse sweeps. */
    static NtkFeatures of(DeviceMlp net, Tensor x, long from, long to) {
        Backend backend = net.backend();
        DeviceMatrix xd = backend.upload(x.slice(from, to));
        ForwardTrace t = null;
        try {
            t = ForwardTrace.of(net, xd);
            return new NtkFeatures(xd, t, BackpropSignals.ofOutputs(t));
        } catch (RuntimeException e) {
            if (t != null) {
                t.close();
            }
            xd.close();
            throw e;
        }
    }

    /** Number of examples. */
    long rows() {
        return x.rows();
    }

    /** {@code H_{l-1}} (rows x n_{l-1}). */
    DeviceMatrix input(int l) {
        return trace.input(l);
    }

    /** {@code Delta_l} (rows*O x n_l); the identity per example for the output layer. */
    DeviceMatrix signal(int l) {
        return signals.signal(l);
    }

    /** {@code phi'(Z_l)} (rows x n_l) for a hidden layer {@code l}. */
    DeviceMatrix slope(int l) {
        return trace.slope(l);
    }

    /** Whether the output layer's signal is the identity per example (every output differentiated). */
    boolean outputSignalIsIdentity() {
        return signals.outputSignalIsIdentity();
    }

    /** Bytes per example the features hold, for tile sizing. */
    static long bytesPerExample(Mlp mlp) {
        long o = mlp.outputDim();
        long units = 0;
        for (Layer layer : mlp.layers()) {
            units += layer.out();
        }
        return mlp.dtype().byteSize() * (mlp.inputDim() + 2 * mlp.hiddenUnits() + o * (units + o) + 2 * o);
    }

    @Override
    public void close() {
        signals.close();
        trace.close();
        x.close();
    }
}
