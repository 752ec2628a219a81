package io.github.tangent4j.jacobian;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.internal.Broadcast;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.DeviceMlp;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * The backpropagation signals of a batch: for every layer l, {@code Delta_l = d s / d Z_l}, the
 * derivative of r scalar outputs s per example with respect to the layer's pre-activations, stacked as
 * an (N*r x n_l) matrix whose rows {@code i*r .. i*r + r - 1} belong to example i. They come from one
 * reverse sweep of GEMMs shared by all examples ({@code M <- (M (.) phi'(Z_l)) W_l}, DESIGN.md), and
 * they are all that the parameter Jacobian ({@code d s/d W_l = a_l Delta_l (x) H_{l-1}}) and the
 * empirical NTK need.
 *
 * <p>Two kinds of sweep: {@link #ofOutputs} differentiates every output (r = O; the output layer's
 * signal is the identity per example), {@link #ofCotangent} one combination of outputs per example
 * (r = 1; the output layer's signal is the cotangent). Closing frees the signals.
 */
public final class BackpropSignals implements AutoCloseable {
    private final ForwardTrace trace;
    private final long rowsPerExample;
    private final DeviceMatrix[] signals;
    private final DeviceMatrix cotangent;
    private DeviceMatrix outputIdentity;

    private BackpropSignals(ForwardTrace trace, long rowsPerExample, int layers, DeviceMatrix cotangent) {
        this.trace = trace;
        this.rowsPerExample = rowsPerExample;
        this.signals = new DeviceMatrix[layers];
        this.cotangent = cotangent;
    }

    /** The signals of every output (r = O) for the batch of {@code trace}. */
    public static BackpropSignals ofOutputs(ForwardTrace trace) {
        Objects.requireNonNull(trace, "trace");
        BackpropSignals s = new BackpropSignals(trace, trace.net().mlp().outputDim(),
                trace.net().mlp().layers().size(), null);
        return s.sweep();
    }

    /**
     * The signals of {@code s_i = c_i . f(x_i)} (r = 1) for a cotangent {@code c} (N x O, the trace's
     * batch and dtype); the matrix is not copied and must stay open while the signals are used.
     */
    public static BackpropSignals ofCotangent(ForwardTrace trace, DeviceMatrix cotangent) {
        Objects.requireNonNull(trace, "trace");
        Mlp mlp = trace.net().mlp();
        checkCotangent(trace, cotangent);
        return new BackpropSignals(trace, 1, mlp.layers().size(), cotangent).sweep();
    }

    /**
     * The input gradient {@code d s / d x} (N*r x D) of the outputs ({@code cotangent == null}, r = O)
     * or of a cotangent (r = 1), without keeping the signals: each is freed as soon as the next layer's
     * is known. The caller closes the result.
     */
    static DeviceMatrix inputGradient(ForwardTrace trace, DeviceMatrix cotangent) {
        Mlp mlp = trace.net().mlp();
        if (cotangent != null) {
            checkCotangent(trace, cotangent);
        }
        try (BackpropSignals s = new BackpropSignals(trace, cotangent == null ? mlp.outputDim() : 1,
                mlp.layers().size(), cotangent)) {
            return s.run(false, true, null);
        }
    }

    /**
     * The input Jacobian {@code d f / d x} of every output (N*O x D) written straight into the host tensor
     * {@code out} (N*O*D elements of the network's dtype, row-major) by the sweep's last GEMM
     * ({@link Backend#gemmToHost}), the signals freed as the sweep goes.
     */
    static void inputJacobianInto(ForwardTrace trace, Tensor out) {
        Mlp mlp = trace.net().mlp();
        try (BackpropSignals s = new BackpropSignals(trace, mlp.outputDim(), mlp.layers().size(), null);
             DeviceMatrix stack = s.run(false, true, out)) {
            if (stack != null) {   // no hidden layer: the Jacobian is the stacked output weight, no GEMM below it
                trace.net().backend().download(stack, out);
            }
        }
    }

    private static void checkCotangent(ForwardTrace trace, DeviceMatrix c) {
        Mlp mlp = trace.net().mlp();
        Objects.requireNonNull(c, "cotangent");
        if (c.rows() != trace.batch() || c.cols() != mlp.outputDim() || c.dtype() != mlp.dtype()) {
            throw new IllegalArgumentException("cotangent: expected shape (" + trace.batch() + ", "
                    + mlp.outputDim() + ") of " + mlp.dtype() + " but was (" + c.rows() + ", " + c.cols()
                    + ") of " + c.dtype());
        }
    }

    /** Rows per example, r: O for {@link #ofOutputs}, 1 for {@link #ofCotangent}. */
    public long rowsPerExample() {
        return rowsPerExample;
    }

    /** The forward pass the signals belong to. */
    public ForwardTrace trace() {
        return trace;
    }

    /**
     * {@code Delta_l} (N*r x n_l). For the output layer ({@code l = L}) it is the cotangent, or for
     * {@link #ofOutputs} the identity per example, materialised on first request.
     */
    public DeviceMatrix signal(int l) {
        Objects.checkIndex(l, signals.length);
        if (l == signals.length - 1) {
            return outputSignal();
        }
        return signals[l];
    }

    /** Whether the output layer's signal is the identity per example (the {@link #ofOutputs} case). */
    public boolean outputSignalIsIdentity() {
        return cotangent == null;
    }

    private DeviceMatrix outputSignal() {
        if (cotangent != null) {
            return cotangent;
        }
        if (outputIdentity == null) {
            Mlp mlp = trace.net().mlp();
            int o = Math.toIntExact(mlp.outputDim());
            Tensor eye = Tensor.allocate(mlp.dtype(), o, o);
            for (int i = 0; i < o; i++) {
                eye.set(1, i, i);
            }
            Backend backend = trace.net().backend();
            try (DeviceMatrix e = backend.upload(eye)) {
                outputIdentity = Broadcast.stack(backend, e, trace.batch(), 1);
            }
        }
        return outputIdentity;
    }

    /** d s / d H_{L-1}: (N*r x n_{L-1}), the start of the sweep. */
    private DeviceMatrix startAboveOutputLayer() {
        DeviceMlp net = trace.net();
        Mlp mlp = net.mlp();
        int last = mlp.depth();
        double a = mlp.parameterization().weightScale(mlp.layers().get(last).in());
        Backend backend = net.backend();
        if (cotangent == null) {
            return Broadcast.stack(backend, net.weight(last), trace.batch(), a);
        }
        DeviceMatrix m = backend.allocateUninitialised(mlp.dtype(), trace.batch(), mlp.layers().get(last).in());
        try {
            backend.gemm(false, false, a, cotangent, net.weight(last), 0, m);
            return m;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** The reverse sweep, keeping every hidden layer's signal. */
    private BackpropSignals sweep() {
        try {
            run(true, false, null);
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Walks down from the output layer: {@code Delta_l = M (.) phi'(Z_l)}, {@code M <- a_l Delta_l W_l}, the
     * two in one {@link Backend#hadamardGemm} where Delta_l is not kept (it skips the inactive units' columns), and
     * for a ReLU network (slopes of 0 and 1) the GEMM of a kept Delta_l through it too. Not kept, from the outputs,
     * the first product takes the output weight as the one block every example starts from (no stack of copies).
     * Keeps the signals when {@code keep}; returns the last M (d s/d x) when {@code toInput}, else null
     * (and skips the first layer's GEMM, which only the input gradient needs). With a host tensor {@code into}
     * (and {@code toInput}, not {@code keep}) the last GEMM writes there instead and returns null (with no hidden
     * layer there is no GEMM: M is returned as without it).
     */
    private DeviceMatrix run(boolean keep, boolean toInput, Tensor into) {
        DeviceMlp net = trace.net();
        Mlp mlp = net.mlp();
        Backend backend = net.backend();
        boolean slopesAreMasks = mlp.activation().kind() == Activation.Kind.RELU;
        // not kept, from the outputs: every example's rows start as the output weight itself, one block for all
        // (with one example the block would be the whole stack, which hadamardGemm may overwrite: copy it then)
        boolean sharedStart = !keep && cotangent == null && mlp.depth() > 0 && trace.batch() > 1;
        DeviceMatrix m = sharedStart ? null : startAboveOutputLayer();
        double carried = sharedStart ? mlp.parameterization().weightScale(mlp.layers().get(mlp.depth()).in()) : 1;
        try {
            for (int l = mlp.depth() - 1; l >= 0; l--) {
                if (keep) {
                    backend.hadamard(m, trace.slope(l), m);
                    signals[l] = m;
                }
                if (l == 0 && !toInput) {
                    return null;
                }
                long in = mlp.layers().get(l).in();
                double a = carried * mlp.parameterization().weightScale(in);
                carried = 1;
                DeviceMatrix factor = m != null ? m : net.weight(mlp.depth());
                if (l == 0 && into != null) {
                    backend.hadamardGemmToHost(a, factor, trace.slope(l), net.weight(l), into);
                    if (m != null) {
                        m.close();
                    }
                    return null;
                }
                DeviceMatrix next = backend.allocateUninitialised(mlp.dtype(), trace.batch() * rowsPerExample, in);
                try {
                    if (!keep || slopesAreMasks) {
                        // a kept Delta_l is already masked: with slopes of 0 and 1, (Delta_l (.) s) = Delta_l
                        backend.hadamardGemm(a, factor, trace.slope(l), net.weight(l), next);
                    } else {
                        backend.gemm(false, false, a, m, net.weight(l), 0, next);
                    }
                } catch (RuntimeException e) {
                    next.close();
                    throw e;
                }
                if (!keep && m != null) {
                    m.close();
                }
                m = next;
            }
            if (toInput) {
                return m;
            }
            m.close();
            return null;
        } catch (RuntimeException e) {
            if (m != null && !Arrays.asList(signals).contains(m)) {
                m.close();
            }
            throw e;
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < signals.length; i++) {
            if (signals[i] != null) {
                signals[i].close();
                signals[i] = null;
            }
        }
        if (outputIdentity != null) {
            outputIdentity.close();
            outputIdentity = null;
        }
    }
}
