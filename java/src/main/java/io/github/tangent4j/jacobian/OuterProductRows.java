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
 * MB; the block is rows*O*P numbers, so the pass is bound by memory bandwidth: the block is written in
 * parallel on the common pool: per unit a scaled copy of the input row, stored from the vector registers
 * ({@link VectorRuns}; without the Vector API through a buffer of the products), or zeros where ReLU's slope
 * makes the signal 0; on x86_64 with AVX-512 through stages copied out with non-temporal stores
 * ({@link StreamedStages}), so that memory sees one write of each line instead of a read and a write.
 */
final class OuterProductRows {
    /** Row chunks per pool thread, so that threads finish together. */
    private static final int CHUNKS_PER_THREAD = 4;

    private final Mlp mlp;
    private final ParameterLayout layout;
    private final long o;
    private final long p;
    private final boolean f32;
    // The factors as downloaded, in the network's dtype (no copy in double: 5 MB per tile at N = 64)
    private final MemorySegment[] deltas;   // per layer: Delta_l, (rows*O x out_l), row-major
    private final double[] weightScales;   // per layer: a_l
    private final double biasScale;        // c, the same for every layer with a bias
    private final MemorySegment[] inputs;   // per layer: H_{l-1}, (rows x in_l), row-major
    private final double[] maxDeltas;       // per layer: max |Delta_l| (NaN if any is NaN)
    private final double[] maxInputs;       // per layer: max |H_{l-1}|
    private final boolean zeroRuns;    // whether a zero signal may be written as zeros (finite inputs: 0 * h = 0)

    private OuterProductRows(Mlp mlp, MemorySegment[] deltas, double[] weightScales, MemorySegment[] inputs) {
        this.mlp = mlp;
        this.f32 = mlp.dtype() == DType.F32;
        this.layout = ParameterLayout.of(mlp);
        this.o = mlp.outputDim();
        this.p = mlp.parameterCount();
        this.deltas = deltas;
        this.weightScales = weightScales;
        this.biasScale = mlp.parameterization().biasScale();
        this.inputs = inputs;
        this.maxDeltas = new double[deltas.length];
        this.maxInputs = new double[deltas.length];
        boolean finite = true;
        for (int l = 0; l < deltas.length; l++) {
            maxDeltas[l] = maxAbs(deltas[l]);
            maxInputs[l] = maxAbs(inputs[l]);
            finite &= Double.isFinite(maxInputs[l]);
        }
        this.zeroRuns = finite;
    }

    /**
     * The factors of {@code s}'s tile ({@link BackpropSignals#ofOutputs}), downloaded, with the
     * parameterization's scales (weights by {@code a_l}, biases by {@code c}), which the rows apply as they are
     * written (each scaled signal rounded to the network's dtype, as a GEMM's alpha would be).
     */
    static OuterProductRows of(BackpropSignals s) {
        ForwardTrace t = s.trace();
        Mlp mlp = t.net().mlp();
        Backend backend = t.net().backend();
        int layers = mlp.layers().size();
        MemorySegment[] deltas = new MemorySegment[layers];
        double[] weightScales = new double[layers];
        MemorySegment[] inputs = new MemorySegment[layers];
        for (int l = 0; l < layers; l++) {
            Layer layer = mlp.layers().get(l);
            deltas[l] = backend.download(s.signal(l)).segment();
            inputs[l] = backend.download(t.input(l)).segment();
            weightScales[l] = mlp.parameterization().weightScale(layer.in());
        }
        return new OuterProductRows(mlp, deltas, weightScales, inputs);
    }

    /**
     * Whether no element of the block can overflow: every factor is finite and, per layer, the largest
     * scaled signal times the largest input is at most the dtype's largest value (a product of two numbers of
     * the dtype is exact in double, so its rounding to the dtype stays finite). False says only that the
     * block must be checked element by element.
     */
    boolean boundedBelowOverflow() {
        double max = mlp.dtype() == DType.F32 ? Float.MAX_VALUE : Double.MAX_VALUE;
        for (int l = 0; l < deltas.length; l++) {
            // the largest scaled signal: rounding is monotone, so it is the rounded scale times the largest |Delta|
            double delta = maxDeltas[l];
            double bound = Math.abs(rounded(weightScales[l] * delta)) * maxInputs[l];
            if (!(bound <= max) || hasBias(l) && !(Math.abs(rounded(biasScale * delta)) <= max)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes the tile's block {@code dst} (rows, O, P) of the network's dtype, every element once: through
     * stages copied out with non-temporal stores where that is faster ({@link StreamedStages}), else straight
     * from the registers.
     */
    void writeInto(Tensor dst) {
        writeInto(dst, StreamedStages.pieceElements(mlp.dtype()));
    }

    /**
     * {@link #writeInto(Tensor)} through stages of at least {@code pieceElements} elements (the block split into
     * equal pieces, each written into a stage and copied out), or straight into the block when
     * {@code pieceElements} is 0 or the block holds fewer pieces than there are threads (a piece is one thread's
     * work). Both give the same bits.
     */
    void writeInto(Tensor dst, long pieceElements) {
        long total = dst.dim(0) * o * p;
        MemorySegment out = dst.segment();
        int threads = ForkJoinPool.getCommonPoolParallelism() + 1;
        if (pieceElements <= 0 || total / pieceElements < threads) {
            int rows = Math.toIntExact(dst.dim(0) * o);
            int chunks = Math.min(rows, threads * CHUNKS_PER_THREAD);
            IntStream.range(0, chunks).parallel().forEach(c -> {
                RowWriter w = new RowWriter(mlp.dtype(), Math.toIntExact(maxWidth()), zeroRuns);
                for (int r = (int) ((long) rows * c / chunks); r < (long) rows * (c + 1) / chunks; r++) {
                    writeRow(w, out, r, 0, p, 0, false);
                }
            });
            return;
        }
        long pieces = total / pieceElements;
        int chunks = (int) Math.min(pieces, threads * CHUNKS_PER_THREAD);
        long elementBytes = mlp.dtype().byteSize();
        IntStream.range(0, chunks).parallel().forEach(c -> {
            RowWriter w = new RowWriter(mlp.dtype(), Math.toIntExact(maxWidth()), zeroRuns);
            MemorySegment stage = StreamedStages.stage(Math.toIntExact(Math.ceilDiv(total, pieces) * elementBytes));
            for (long k = pieces * c / chunks; k < pieces * (c + 1) / chunks; k++) {
                long from = total * k / pieces;
                long to = total * (k + 1) / pieces;
                writeElements(w, stage, from, to);
                MemorySegment.copy(stage, 0, out, from * elementBytes, (to - from) * elementBytes);
            }
        });
    }

    /**
     * Elements {@code [from, to)} of the block (row-major), written to {@code stage} from its start, last run
     * first: the copy then reads the stage from its start, which was written last and is still in the core's
     * L2 cache, and the next piece's writes begin where the copy ended (a stage of 2.6 MiB does not fit a 2 MiB
     * L2; written first to last, the copy found it all in L3 and staging gained 8 % instead of 47 %, measured
     * in C, 2026-12-05).
     */
    private void writeElements(RowWriter w, MemorySegment stage, long from, long to) {
        for (long r = (to - 1) / p; r * p + p > from; r--) {
            long rowStart = r * p;
            writeRow(w, stage, Math.toIntExact(r), Math.max(0, from - rowStart), Math.min(p, to - rowStart), from,
                    true);
        }
    }

    /**
     * Columns {@code [c0, c1)} of row r = i*O + o of the block into {@code out}, element (r, c) at index
     * {@code r*P + c - shift}: per layer the clipped runs of the weight block and the bias block, in order or,
     * when {@code descending}, last run first.
     */
    private void writeRow(RowWriter w, MemorySegment out, int r, long c0, long c1, long shift, boolean descending) {
        int layers = deltas.length;
        for (int k = 0; k < layers; k++) {
            int l = descending ? layers - 1 - k : k;
            if (descending) {
                writeBiases(w, out, r, l, c0, c1, r * p - shift);
            }
            writeWeights(w, out, r, l, c0, c1, r * p - shift, descending);
            if (!descending) {
                writeBiases(w, out, r, l, c0, c1, r * p - shift);
            }
        }
    }

    /** Columns {@code [c0, c1)} of layer l's weight block of row r, column c at {@code at + c}. */
    private void writeWeights(RowWriter w, MemorySegment out, int r, int l, long c0, long c1, long at,
            boolean descending) {
        Layer layer = mlp.layers().get(l);
        int in = Math.toIntExact(layer.in());
        int width = Math.toIntExact(layer.out());
        long weights = layout.weightOffset(l);
        long from = Math.max(c0, weights);
        long to = Math.min(c1, weights + (long) width * in);
        if (from >= to) {
            return;
        }
        MemorySegment delta = deltas[l];
        double scale = weightScales[l];
        w.input(inputs[l], r / o * in, in);
        int first = (int) ((from - weights) / in);
        int last = (int) ((to - 1 - weights) / in);
        for (int k = 0; k <= last - first; k++) {
            int u = descending ? last - k : first + k;
            long run = weights + (long) u * in;
            int k0 = (int) Math.max(0, from - run);
            int k1 = (int) Math.min(in, to - run);
            w.scaled(out, rounded(scale * element(delta, (long) r * width + u)), k0, k1 - k0, at + run + k0);
        }
    }

    /** Columns {@code [c0, c1)} of layer l's bias block of row r, column c at {@code at + c}. */
    private void writeBiases(RowWriter w, MemorySegment out, int r, int l, long c0, long c1, long at) {
        if (!hasBias(l)) {
            return;
        }
        int width = Math.toIntExact(mlp.layers().get(l).out());
        long biases = layout.biasOffset(l);
        long from = Math.max(c0, biases);
        long to = Math.min(c1, biases + width);
        if (from < to) {
            w.copyScaled(out, deltas[l], (long) r * width + from - biases, (int) (to - from), biasScale, at + from);
        }
    }

    private long maxWidth() {
        long w = 0;
        for (long v : mlp.widths()) {
            w = Math.max(w, v);
        }
        return w;
    }

    /** Element i of a factor in the network's dtype, exactly as a double. */
    private double element(MemorySegment factor, long i) {
        return f32 ? factor.getAtIndex(ValueLayout.JAVA_FLOAT, i) : factor.getAtIndex(ValueLayout.JAVA_DOUBLE, i);
    }

    /** {@code v} rounded to the network's dtype (a GEMM's alpha applied in the dtype). */
    private double rounded(double v) {
        return mlp.dtype() == DType.F32 ? (float) v : v;
    }

    private boolean hasBias(int layer) {
        return mlp.layers().get(layer).hasBias();
    }

    private double maxAbs(MemorySegment factor) {
        double m = 0;
        for (long i = 0, n = factor.byteSize() / mlp.dtype().byteSize(); i < n; i++) {
            m = Math.max(m, Math.abs(element(factor, i)));   // NaN propagates
        }
        return m;
    }

    /**
     * One thread's writes of runs of elements into a block or a stage, through buffers of one run in the dtype:
     * the layer input row, converted once per row, and its scaled copy (one multiply per element, exactly the
     * dtype's product), then copied out. The layouts are the unaligned ones because a stage is a byte array.
     */
    private static final class RowWriter {
        private final boolean f32;
        private final boolean zeroRuns;
        private final double[] inputD;
        private final double[] productD;
        private final float[] inputF;
        private final float[] productF;
        private final double[] zerosD;
        private final float[] zerosF;

        RowWriter(DType dtype, int width, boolean zeroRuns) {
            this.f32 = dtype == DType.F32;
            this.zeroRuns = zeroRuns;
            this.inputD = f32 ? null : new double[width];
            this.productD = f32 ? null : new double[width];
            this.inputF = f32 ? new float[width] : null;
            this.productF = f32 ? new float[width] : null;
            this.zerosD = f32 ? null : new double[width];
            this.zerosF = f32 ? new float[width] : null;
        }

        /** The input row, elements {@code [from, from + n)} of {@code h}, that {@link #scaled} multiplies. */
        void input(MemorySegment h, long from, int n) {
            if (f32) {
                MemorySegment.copy(h, ValueLayout.JAVA_FLOAT, from * Float.BYTES, inputF, 0, n);
            } else {
                MemorySegment.copy(h, ValueLayout.JAVA_DOUBLE, from * Double.BYTES, inputD, 0, n);
            }
        }

        /**
         * Elements {@code [at, at + n)} of {@code out} = {@code s} times elements {@code [k0, k0 + n)} of the
         * {@link #input} row.
         */
        void scaled(MemorySegment out, double s, int k0, int n, long at) {
            if (s == 0 && zeroRuns) {
                // A copy from a zero array, not MemorySegment.fill: on runs of a few KB the fill wrote at half
                // the copy's speed (JFR samples of the N = 64 parameter Jacobian, 2026-12-05).
                if (f32) {
                    MemorySegment.copy(zerosF, 0, out, ValueLayout.JAVA_FLOAT_UNALIGNED, at * Float.BYTES, n);
                } else {
                    MemorySegment.copy(zerosD, 0, out, ValueLayout.JAVA_DOUBLE_UNALIGNED, at * Double.BYTES, n);
                }
            } else if (VectorRuns.ENABLED) {
                if (f32) {
                    VectorRuns.scaled(out, at, (float) s, inputF, k0, n);
                } else {
                    VectorRuns.scaled(out, at, s, inputD, k0, n);
                }
            } else if (f32) {
                float sf = (float) s;
                for (int k = 0; k < n; k++) {
                    productF[k] = sf * inputF[k0 + k];
                }
                MemorySegment.copy(productF, 0, out, ValueLayout.JAVA_FLOAT_UNALIGNED, at * Float.BYTES, n);
            } else {
                for (int k = 0; k < n; k++) {
                    productD[k] = s * inputD[k0 + k];
                }
                MemorySegment.copy(productD, 0, out, ValueLayout.JAVA_DOUBLE_UNALIGNED, at * Double.BYTES, n);
            }
        }

        /**
         * Elements {@code [at, at + n)} of {@code out} = {@code scale} times elements {@code [from, from + n)} of
         * {@code v} (of the dtype), each rounded to the dtype.
         */
        void copyScaled(MemorySegment out, MemorySegment v, long from, int n, double scale, long at) {
            if (!f32) {
                for (int k = 0; k < n; k++) {
                    productD[k] = scale * v.getAtIndex(ValueLayout.JAVA_DOUBLE, from + k);
                }
                MemorySegment.copy(productD, 0, out, ValueLayout.JAVA_DOUBLE_UNALIGNED, at * Double.BYTES, n);
                return;
            }
            for (int k = 0; k < n; k++) {
                productF[k] = (float) (scale * v.getAtIndex(ValueLayout.JAVA_FLOAT, from + k));
            }
            MemorySegment.copy(productF, 0, out, ValueLayout.JAVA_FLOAT_UNALIGNED, at * Float.BYTES, n);
        }
    }
}
