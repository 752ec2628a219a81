package io.github.tangent4j.jacobian;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.ParameterLayout;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * The parameter Jacobian's rows written on the host, each element once, from the small factors of one tile:
 * row {@code (i, o)} of the (rows, O, P) block is, per layer l, the weight block {@code a_l Delta_l[i, o, u] *
 * H_{l-1}[i, :]} for every unit u (u-major, as the state dict stores {@code W_l}) followed by the bias block
 * {@code c Delta_l[i, o, :]}. The factors (rows*O x n_l signals and rows x n_{l-1} layer inputs) are a few
 * MB; the block is rows*O*P numbers, so the pass is bound by memory bandwidth: rows are written in order,
 * in parallel on the common pool: per unit a scaled copy of the input row, stored from the vector registers
 * ({@link VectorRuns}; without the Vector API through a buffer of the products), or zeros where ReLU's slope
 * makes the signal 0.
 */
final class OuterProductRows {
    /** Row chunks per pool thread, so that threads finish together. */
    private static final int CHUNKS_PER_THREAD = 4;

    private final Mlp mlp;
    private final ParameterLayout layout;
    private final long o;
    private final long p;
    private final double[][] signals;  // per layer: a_l Delta_l, (rows*O x out_l), row-major
    private final double[][] biases;   // per layer: c Delta_l, or null without a bias
    private final double[][] inputs;   // per layer: H_{l-1}, (rows x in_l), row-major
    private final boolean zeroRuns;    // whether a zero signal may be written as zeros (finite inputs: 0 * h = 0)

    private OuterProductRows(Mlp mlp, double[][] signals, double[][] biases, double[][] inputs) {
        this.mlp = mlp;
        this.layout = ParameterLayout.of(mlp);
        this.o = mlp.outputDim();
        this.p = mlp.parameterCount();
        this.signals = signals;
        this.biases = biases;
        this.inputs = inputs;
        boolean finite = true;
        for (double[] h : inputs) {
            finite &= Double.isFinite(maxAbs(h));
        }
        this.zeroRuns = finite;
    }

    /**
     * The factors of {@code s}'s tile ({@link BackpropSignals#ofOutputs}), downloaded and scaled by the
     * parameterization (weights by {@code a_l}, biases by {@code c}) in the network's dtype.
     */
    static OuterProductRows of(BackpropSignals s) {
        ForwardTrace t = s.trace();
        Mlp mlp = t.net().mlp();
        Backend backend = t.net().backend();
        int layers = mlp.layers().size();
        double[][] signals = new double[layers][];
        double[][] biases = new double[layers][];
        double[][] inputs = new double[layers][];
        for (int l = 0; l < layers; l++) {
            Layer layer = mlp.layers().get(l);
            double[] delta = doubles(backend.download(s.signal(l)));
            inputs[l] = doubles(backend.download(t.input(l)));
            signals[l] = scaled(mlp.dtype(), delta, mlp.parameterization().weightScale(layer.in()));
            biases[l] = layer.hasBias() ? scaled(mlp.dtype(), delta, mlp.parameterization().biasScale()) : null;
        }
        return new OuterProductRows(mlp, signals, biases, inputs);
    }

    /**
     * Whether no element of the block can overflow: every factor is finite and, per layer, the largest
     * scaled signal times the largest input is at most the dtype's largest value (a product of two numbers of
     * the dtype is exact in double, so its rounding to the dtype stays finite). False says only that the
     * block must be checked element by element.
     */
    boolean boundedBelowOverflow() {
        double max = mlp.dtype() == DType.F32 ? Float.MAX_VALUE : Double.MAX_VALUE;
        for (int l = 0; l < signals.length; l++) {
            double bound = maxAbs(signals[l]) * maxAbs(inputs[l]);
            if (!(bound <= max) || biases[l] != null && !(maxAbs(biases[l]) <= max)) {
                return false;
            }
        }
        return true;
    }

    /** Writes the tile's block {@code dst} (rows, O, P) of the network's dtype, every element once. */
    void writeInto(Tensor dst) {
        int rows = Math.toIntExact(dst.dim(0) * o);
        int chunks = Math.min(rows, (ForkJoinPool.getCommonPoolParallelism() + 1) * CHUNKS_PER_THREAD);
        MemorySegment out = dst.segment();
        IntStream.range(0, chunks).parallel().forEach(c -> {
            RowWriter w = new RowWriter(mlp.dtype(), out, Math.toIntExact(maxWidth()), zeroRuns);
            for (int r = (int) ((long) rows * c / chunks); r < (long) rows * (c + 1) / chunks; r++) {
                writeRow(w, r);
            }
        });
    }

    /** Row r = i*O + o of the block. */
    private void writeRow(RowWriter w, int r) {
        int i = (int) (r / o);
        long rowStart = r * p;
        for (int l = 0; l < signals.length; l++) {
            Layer layer = mlp.layers().get(l);
            int in = Math.toIntExact(layer.in());
            int out = Math.toIntExact(layer.out());
            double[] delta = signals[l];
            long at = rowStart + layout.weightOffset(l);
            w.input(inputs[l], i * in, in);
            for (int u = 0; u < out; u++, at += in) {
                w.scaled(delta[r * out + u], in, at);
            }
            if (biases[l] != null) {
                w.copy(biases[l], r * out, out, rowStart + layout.biasOffset(l));
            }
        }
    }

    private long maxWidth() {
        long w = 0;
        for (long v : mlp.widths()) {
            w = Math.max(w, v);
        }
        return w;
    }

    private static double[] doubles(Tensor t) {
        return t.dtype() == DType.F32 ? toDoubles(t.segment().toArray(ValueLayout.JAVA_FLOAT))
                : t.segment().toArray(ValueLayout.JAVA_DOUBLE);
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int k = 0; k < f.length; k++) {
            d[k] = f[k];
        }
        return d;
    }

    /** {@code scale * v}, each rounded to {@code dtype} (a GEMM's alpha applied in the dtype). */
    private static double[] scaled(DType dtype, double[] v, double scale) {
        double[] s = new double[v.length];
        for (int k = 0; k < v.length; k++) {
            s[k] = dtype == DType.F32 ? (float) (scale * v[k]) : scale * v[k];
        }
        return s;
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, Math.abs(x));   // NaN propagates
        }
        return m;
    }

    /**
     * One thread's writes of runs of elements into the block, through buffers of one run in the dtype: the
     * layer input row, converted once per row, and its scaled copy (one multiply per element, exactly the
     * dtype's product), then copied out.
     */
    private static final class RowWriter {
        private final boolean f32;
        private final MemorySegment out;
        private final boolean zeroRuns;
        private final double[] inputD;
        private final double[] productD;
        private final float[] inputF;
        private final float[] productF;
        private final double[] zerosD;
        private final float[] zerosF;

        RowWriter(DType dtype, MemorySegment out, int width, boolean zeroRuns) {
            this.f32 = dtype == DType.F32;
            this.out = out;
            this.zeroRuns = zeroRuns;
            this.inputD = f32 ? null : new double[width];
            this.productD = f32 ? null : new double[width];
            this.inputF = f32 ? new float[width] : null;
            this.productF = f32 ? new float[width] : null;
            this.zerosD = f32 ? null : new double[width];
            this.zerosF = f32 ? new float[width] : null;
        }

        /** The input row {@code h[from .. from + n)} that {@link #scaled} multiplies. */
        void input(double[] h, int from, int n) {
            if (!f32) {
                System.arraycopy(h, from, inputD, 0, n);
                return;
            }
            for (int k = 0; k < n; k++) {
                inputF[k] = (float) h[from + k];
            }
        }

        /** Elements {@code [at, at + n)} = {@code s} times the first n of the {@link #input} row. */
        void scaled(double s, int n, long at) {
            if (s == 0 && zeroRuns) {
                // A copy from a zero array, not MemorySegment.fill: on runs of a few KB the fill wrote at half
                // the copy's speed (JFR samples of the N = 64 parameter Jacobian, 2026-12-05).
                if (f32) {
                    MemorySegment.copy(zerosF, 0, out, ValueLayout.JAVA_FLOAT, at * Float.BYTES, n);
                } else {
                    MemorySegment.copy(zerosD, 0, out, ValueLayout.JAVA_DOUBLE, at * Double.BYTES, n);
                }
            } else if (VectorRuns.ENABLED) {
                if (f32) {
                    VectorRuns.scaled(out, at, (float) s, inputF, n);
                } else {
                    VectorRuns.scaled(out, at, s, inputD, n);
                }
            } else if (f32) {
                float sf = (float) s;
                for (int k = 0; k < n; k++) {
                    productF[k] = sf * inputF[k];
                }
                MemorySegment.copy(productF, 0, out, ValueLayout.JAVA_FLOAT, at * Float.BYTES, n);
            } else {
                for (int k = 0; k < n; k++) {
                    productD[k] = s * inputD[k];
                }
                MemorySegment.copy(productD, 0, out, ValueLayout.JAVA_DOUBLE, at * Double.BYTES, n);
            }
        }

        /** Elements {@code [at, at + n)} = {@code v[from .. from + n)} (values of the dtype). */
        void copy(double[] v, int from, int n, long at) {
            if (!f32) {
                MemorySegment.copy(v, from, out, ValueLayout.JAVA_DOUBLE, at * Double.BYTES, n);
                return;
            }
            for (int k = 0; k < n; k++) {
                productF[k] = (float) v[from + k];
            }
            MemorySegment.copy(productF, 0, out, ValueLayout.JAVA_FLOAT, at * Float.BYTES, n);
        }
    }
}
