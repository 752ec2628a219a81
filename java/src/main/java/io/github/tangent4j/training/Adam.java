package io.github.tangent4j.training;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.jacobian.BackpropSignals;
import io.github.tangent4j.jacobian.ForwardTrace;
import io.github.tangent4j.nn.DeviceMlp;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * Adam on mini-batch gradients of the masked loss ({@link MaskedFit}; Kingma and Ba, "Adam: a method
 * for stochastic optimization", ICLR 2015, algorithm 1 with beta1 = 0.9, beta2 = 0.999, eps = 1e-8).
 * The gradient of a batch's loss is a VJP: one forward trace and one reverse sweep with the cotangent
 * {@code 2 (f - y) / (B O)}, then {@code a_l Delta_l^T H_{l-1}} (a GEMM) and the column sums for the
 * layers with trainable parameters, on the backend. The examples are reshuffled every epoch (seeded);
 * the full loss is evaluated after each epoch for the stopping rule.
 *
 * @param config the fit's settings and starting network
 * @param params the trainable parameters' positions
 * @param target the loss at which to stop
 */
record Adam(MaskedFit config, MaskedParameters params, double target) {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;
    /** Epochs without a relative improvement of the best loss by minImprovement before it stops. */
    private static final int PATIENCE = 20;

    MaskedFit.Result run(Backend backend, Tensor x, Tensor y) {
        Mlp current = config.mlp();
        long n = x.dim(0);
        long batch = Math.min(n, config.batchSize());
        double[] theta = params.values(current);
        double[] m1 = new double[theta.length];
        double[] m2 = new double[theta.length];
        int[] order = new int[Math.toIntExact(n)];
        java.util.Arrays.setAll(order, i -> i);
        SplittableRandom rng = new SplittableRandom(config.seed());
        double loss = fullLoss(backend, current, x, y, 0);
        double best = loss;
        int stale = 0;
        int step = 0;
        while (true) {
            if (loss <= target) {
                return new MaskedFit.Result(current, loss, step, MaskedFit.StopReason.TOLERANCE, target);
            }
            if (step >= config.steps()) {
                return new MaskedFit.Result(current, loss, step, MaskedFit.StopReason.STEP_BUDGET, target);
            }
            FisherYates.shuffle(order, rng);
            for (long from = 0; from < n && step < config.steps(); from += batch) {
                long to = Math.min(n, from + batch);
                Tensor xb = rows(x, order, from, to);
                Tensor yb = rows(y, order, from, to);
                double[] g = gradient(backend, current, xb, yb, step + 1);
                step++;
                double c1 = 1 - Math.pow(BETA1, step);
                double c2 = 1 - Math.pow(BETA2, step);
                for (int i = 0; i < theta.length; i++) {
                    m1[i] = BETA1 * m1[i] + (1 - BETA1) * g[i];
                    m2[i] = BETA2 * m2[i] + (1 - BETA2) * g[i] * g[i];
                    theta[i] -= config.learningRate() * (m1[i] / c1) / (Math.sqrt(m2[i] / c2) + EPS);
                    if (!Double.isFinite(theta[i]) || (current.dtype() == DType.F32 && Float.isInfinite((float) theta[i]))) {
                        MaskedFit.checkFinite(Double.POSITIVE_INFINITY, step, "Adam, a parameter overflowed");
                    }
                }
                current = params.with(theta);
            }
            loss = fullLoss(backend, current, x, y, step);
            config.report(step, loss);
            if (loss < best * (1 - config.minImprovement())) {
                best = loss;
                stale = 0;
            } else if (++stale >= PATIENCE && loss > target) {
                return new MaskedFit.Result(current, loss, step, MaskedFit.StopReason.NO_IMPROVEMENT, target);
            }
        }
    }

    private static double fullLoss(Backend backend, Mlp net, Tensor x, Tensor y, int step) {
        double s;
        try {
            s = MaskedFit.squaredError(net.forward(backend, x), y, null) / y.size();
        } catch (ArithmeticException overflow) {
            s = Double.POSITIVE_INFINITY; // the outputs overflowed (the tile engine's check): the fit diverged
        }
        MaskedFit.checkFinite(s, step, "Adam");
        return s;
    }

    /** The gradient of the batch's loss with respect to the M trainable parameters. */
    private double[] gradient(Backend backend, Mlp net, Tensor xb, Tensor yb, int step) {
        long rows = xb.dim(0);
        long o = net.outputDim();
        double[] g = new double[params.count()];
        try (DeviceMlp d = DeviceMlp.upload(backend, net);
             DeviceMatrix xd = backend.upload(xb);
             ForwardTrace t = ForwardTrace.of(d, xd)) {
            Tensor f = backend.download(t.output());
            Tensor c = Tensor.allocate(net.dtype(), rows, o);
            double scale = 2.0 / (rows * o);
            double s = 0;
            for (long i = 0; i < c.size(); i++) {
                double r = f.getFlat(i) - yb.getFlat(i);
                s += r * r;
                c.setFlat(i, scale * r);
            }
            MaskedFit.checkFinite(s, step, "Adam");
            try (DeviceMatrix cd = backend.upload(c);
                 BackpropSignals signals = BackpropSignals.ofCotangent(t, cd)) {
                for (int l = 0; l < params.layers(); l++) {
                    Layer layer = net.layers().get(l);
                    DeviceMatrix delta = signals.signal(l);
                    int[] w = params.weightEntries(l);
                    if (w.length > 0) {
                        try (DeviceMatrix gw = backend.allocateUninitialised(net.dtype(), layer.out(), layer.in())) {
                            backend.gemm(true, false, net.parameterization().weightScale(layer.in()), delta,
                                    t.input(l), 0, gw);
                            pick(backend.download(gw), w, g, params.weightOffset(l), 1);
                        }
                    }
                    int[] b = params.biasEntries(l);
                    if (b.length > 0) {
                        try (DeviceMatrix gb = backend.allocateUninitialised(net.dtype(), 1, layer.out())) {
                            backend.sum(delta, 0, gb);
                            pick(backend.download(gb), b, g, params.biasOffset(l), net.parameterization().biasScale());
                        }
                    }
                }
            }
        }
        return g;
    }

    private static void pick(Tensor full, int[] entries, double[] g, int offset, double scale) {
        for (int k = 0; k < entries.length; k++) {
            g[offset + k] = scale * full.getFlat(entries[k]);
        }
    }

    private static Tensor rows(Tensor t, int[] order, long from, long to) {
        long cols = t.dim(1);
        Tensor out = Tensor.allocate(t.dtype(), to - from, cols);
        for (long i = from; i < to; i++) {
            out.slice(i - from, i - from + 1).copyFrom(t.slice(order[(int) i], order[(int) i] + 1));
        }
        return out;
    }
}
