package io.github.tangent4j.jacobian;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.nn.DeviceMlp;
import io.github.tangent4j.nn.Mlp;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a batched forward pass leaves behind for differentiation, on the backend: the input of every
 * layer and the slope of the activation at every hidden pre-activation. For a network with layers
 * {@code 0..L} (L = {@link Mlp#depth()}) and a batch of N inputs:
 * <ul>
 *   <li>{@link #input(int) input(l)}: {@code H_{l-1}} (N x n_{l-1}), the input of layer l
 *       ({@code input(0)} is x itself, not owned by the trace);</li>
 *   <li>{@link #slope(int) slope(l)}: {@code phi'(Z_l)} (N x n_l) for the hidden layers {@code l < L};</li>
 *   <li>{@link #output()}: f(x) (N x O).</li>
 * </ul>
 * Closing the trace frees what it allocated.
 */
public final class ForwardTrace implements AutoCloseable {
    private final DeviceMlp net;
    private final DeviceMatrix x;
    private final List<DeviceMatrix> inputs = new ArrayList<>();
    private final List<DeviceMatrix> slopes = new ArrayList<>();
    private DeviceMatrix output;

    private ForwardTrace(DeviceMlp net, DeviceMatrix x) {
        this.net = net;
        this.x = x;
    }

    /**
     * Runs the forward pass of {@code net} on {@code x} (N x D, the network's dtype) and keeps what the
     * sweeps need.
     *
     * @throws IllegalArgumentException if x does not fit the network (shape or dtype, both named)
     */
    public static ForwardTrace of(DeviceMlp net, DeviceMatrix x) {
        Objects.requireNonNull(net, "net");
        Mlp mlp = net.mlp();
        mlp.checkInput("x", x);
        Backend backend = net.backend();
        ForwardTrace t = new ForwardTrace(net, x);
        try {
            DeviceMatrix h = x;
            t.inputs.add(x);
            for (int l = 0; l < mlp.layers().size(); l++) {
                DeviceMatrix z = net.preactivation(l, h);
                if (l == mlp.depth()) {
                    t.output = z;
                    break;
                }
                DeviceMatrix slope = backend.allocateUninitialised(mlp.dtype(), z.rows(), z.cols());
                t.slopes.add(slope);
                backend.derivative(mlp.activation(), z, slope);
                backend.activate(mlp.activation(), z, z);
                t.inputs.add(z);
                h = z;
            }
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /** The network on the backend. */
    public DeviceMlp net() {
        return net;
    }

    /** Batch size N. */
    public long batch() {
        return x.rows();
    }

    /** The input of layer {@code l}, {@code H_{l-1}} (N x n_{l-1}); {@code input(0)} is x. */
    public DeviceMatrix input(int l) {
        return inputs.get(l);
    }

    /** {@code phi'(Z_l)} (N x n_l) for a hidden layer {@code l < L}. */
    public DeviceMatrix slope(int l) {
        return slopes.get(l);
    }

    /** The network outputs f(x) (N x O). */
    public DeviceMatrix output() {
        return output;
    }

    @Override
    public void close() {
        for (int i = 1; i < inputs.size(); i++) {
            inputs.get(i).close();
        }
        for (DeviceMatrix m : slopes) {
            m.close();
        }
        if (output != null) {
            output.close();
        }
        inputs.clear();
        slopes.clear();
        output = null;
    }
}
