package io.github.tangent4j.patterns;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.Progress;
import io.github.tangent4j.backend.TileEngine;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.DeviceMlp;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;

/**
 * The exact linear pieces of a piecewise-linear network along segments {@code x(t) = a + t (b - a)},
 * found by following the pre-activations layer by layer rather than by sampling.
 *
 * <p>On a piece of the segment where the patterns of layers {@code 1..l-1} are fixed, the
 * pre-activations of layer l are affine in t, so they are known from their values at the piece's two
 * ends. Each unit whose end values have strictly opposite signs crosses zero once inside, at
 * {@code t0 + (t1 - t0) z(t0) / (z(t0) - z(t1))}; these crossings split the piece, the sign of every
 * unit on every sub-piece follows from which side of its crossing it lies, and the next layer's end
 * values come from one GEMM over all sub-pieces of all segments: {@code h = phi'_piece . z} at both
 * ends (the activation is linear on the piece), then {@code z_{l+1} = W_{l+1} h + b}. At a crossing the
 * crossing unit's value is set to exactly 0, so a unit of the next layer that only touches zero there
 * (e.g. {@code z = relu(z')}) is not split again by rounding.
 *
 * <p>Segments are processed in batches (one GEMM per hidden layer per batch); the per-piece sign
 * bookkeeping is linear in (pieces x width) on the host.
 */
public final class RegionsAlongSegments {
    /** Elements of end values per batch at the start (2 x segments x widest layer), bounding host memory. */
    static final long BATCH_ELEMENTS = 1L << 16;

    private RegionsAlongSegments() {
    }

    /** {@link #compute(DeviceMlp, Tensor, Tensor, Progress)} on a network uploaded for the call. */
    public static List<SegmentRegions> compute(Backend backend, Mlp mlp, Tensor a, Tensor b) {
        PiecewiseLinear.require(mlp);
        try (DeviceMlp d = DeviceMlp.upload(backend, mlp)) {
            return compute(d, a, b, null);
        }
    }

    /**
     * The pieces along the segments from row k of {@code a} to row k of {@code b}, both (K, D) in the
     * network's dtype.
     *
     * @param listener told after each batch of segments (may be null)
     * @throws IllegalArgumentException if the activation is not piecewise linear, shapes, dtypes or
     *                                  values do not fit, or a segment has length zero (naming its row)
     * @throws CancellationException    if the thread is interrupted (checked between batches)
     */
    public static List<SegmentRegions> compute(DeviceMlp network, Tensor a, Tensor b,
            Progress listener) {
        Objects.requireNonNull(network, "network");
        PiecewiseLinear.require(network.mlp());
        network.checkInputs(a);
        network.checkInputs(b);
        if (a.dim(0) != b.dim(0)) {
            throw new IllegalArgumentException("b: expected shape " + Shapes.format(a.shape()) + " like a but was "
                    + Shapes.format(b.shape()));
        }
        long k = a.dim(0);
        long d = a.dim(1);
        for (long i = 0; i < k; i++) {
            boolean same = true;
            for (long j = 0; j < d && same; j++) {
                same = a.get(i, j) == b.get(i, j);
            }
            if (same) {
                throw new IllegalArgumentException("b: row " + i + " equals row " + i + " of a (a zero-length segment)");
            }
        }
        long widest = 1;
        for (long w : network.mlp().widths()) {
            widest = Math.max(widest, w);
        }
        long batch = Math.clamp(BATCH_ELEMENTS / (2 * widest), 1, 256);
        List<SegmentRegions> out = new ArrayList<>((int) Math.min(k, 1 << 20));
        for (long from = 0; from < k; from += batch) {
            if (Thread.currentThread().isInterrupted()) {
                throw new CancellationException("interrupted after " + from + " of " + k + " segments");
            }
            long to = Math.min(k, from + batch);
            out.addAll(new Batch(network).run(a.slice(from, to), b.slice(from, to)));
            if (listener != null) {
                listener.onProgress(to, k);
            }
        }
        return out;
    }

    /** The pieces of one batch of segments while they are refined layer by layer. */
    private static final class Batch {
        private final DeviceMlp network;
        private final Mlp mlp;
        private final Activation phi;
        private final long[] widths;
        private final long[] offsets;
        private final int words;
        // pieces, in segment order and, within a segment, in t order
        private int count;
        private int[] segment;
        private double[] t0;
        private double[] t1;
        private long[] bits;

        Batch(DeviceMlp network) {
            this.network = network;
            this.mlp = network.mlp();
            this.phi = mlp.activation();
            this.widths = new long[mlp.depth()];
            this.offsets = new long[mlp.depth() + 1];
            for (int l = 0; l < widths.length; l++) {
                widths[l] = mlp.layers().get(l).out();
                offsets[l + 1] = offsets[l] + widths[l];
            }
            this.words = PackedPatterns.wordsFor(offsets[widths.length]);
        }

        List<SegmentRegions> run(Tensor a, Tensor b) {
            int k = (int) a.dim(0);
            long d = a.dim(1);
            count = k;
            segment = new int[k];
            t0 = new double[k];
            t1 = new double[k];
            bits = new long[k * words];
            Tensor ends = Tensor.allocate(mlp.dtype(), 2L * k, d);
            for (int s = 0; s < k; s++) {
                segment[s] = s;
                t1[s] = 1;
                ends.slice(2L * s, 2L * s + 1).copyFrom(a.slice(s, s + 1));
                ends.slice(2L * s + 1, 2L * s + 2).copyFrom(b.slice(s, s + 1));
            }
            double[] z = preactivation(0, ends);
            for (int l = 0; l < widths.length; l++) {
                z = split(l, z);
            }
            return results(k);
        }

        /**
         * Splits every piece at the zero crossings of layer l's pre-activations (end values {@code z},
         * 2 rows per piece), sets layer l's bits, and returns layer l+1's end values on the new pieces
         * (null after the last hidden layer).
         */
        private double[] split(int l, double[] z) {
            int n = (int) widths[l];
            boolean last = l + 1 == widths.length;
            // pass 1: the distinct sorted crossings of every piece
            double[][] crossings = new double[count][];
            double[] scratch = new double[n];
            int total = 0;
            for (int p = 0; p < count; p++) {
                int m = 0;
                for (int j = 0; j < n; j++) {
                    double c = crossing(p, z[2 * p * n + j], z[(2 * p + 1) * n + j]);
                    if (!Double.isNaN(c)) {
                        scratch[m++] = c;
                    }
                }
                Arrays.sort(scratch, 0, m);
                int distinct = 0;
                for (int i = 0; i < m; i++) {
                    if (distinct == 0 || scratch[i] != scratch[distinct - 1]) {
                        scratch[distinct++] = scratch[i];
                    }
                }
                crossings[p] = Arrays.copyOf(scratch, distinct);
                total += distinct + 1;
            }
            // pass 2: the sub-pieces, their bits and (unless last) their end values of h_l
            int[] nSegment = new int[total];
            double[] nT0 = new double[total];
            double[] nT1 = new double[total];
            long[] nBits = new long[total * words];
            Tensor h = last ? null : Tensor.allocate(mlp.dtype(), 2L * total, n);
            double[] tj = new double[n];
            boolean[] active = new boolean[n];
            int q = 0;
            for (int p = 0; p < count; p++) {
                for (int j = 0; j < n; j++) {
                    tj[j] = crossing(p, z[2 * p * n + j], z[(2 * p + 1) * n + j]);
                }
                double[] cuts = crossings[p];
                for (int s = 0; s <= cuts.length; s++, q++) {
                    double start = s == 0 ? t0[p] : cuts[s - 1];
                    double end = s == cuts.length ? t1[p] : cuts[s];
                    nSegment[q] = segment[p];
                    nT0[q] = start;
                    nT1[q] = end;
                    System.arraycopy(bits, p * words, nBits, q * words, words);
                    for (int j = 0; j < n; j++) {
                        double z0 = z[2 * p * n + j];
                        double z1 = z[(2 * p + 1) * n + j];
                        active[j] = Double.isNaN(tj[j]) ? z0 + z1 > 0 : start >= tj[j] ? z1 > 0 : z0 > 0;
                        if (active[j]) {
                            long bit = offsets[l] + j;
                            nBits[q * words + (int) (bit >>> 6)] |= 1L << (bit & 63);
                        }
                    }
                    if (!last) {
                        endValues(p, z, n, tj, active, start, h, 2L * q);
                        endValues(p, z, n, tj, active, end, h, 2L * q + 1);
                    }
                }
            }
            count = total;
            segment = nSegment;
            t0 = nT0;
            t1 = nT1;
            bits = nBits;
            return last ? null : preactivation(l + 1, h);
        }

        /** Where the affine pre-activation with end values z0, z1 on piece p crosses zero inside it, or NaN. */
        private double crossing(int p, double z0, double z1) {
            if (!(z0 > 0 && z1 < 0 || z0 < 0 && z1 > 0)) {
                return Double.NaN;
            }
            double t = t0[p] + (t1[p] - t0[p]) * (z0 / (z0 - z1));
            return t > t0[p] && t < t1[p] ? t : Double.NaN;
        }

        /** Writes h = phi'_piece . z at parameter {@code at} of piece p into row {@code row} of h. */
        private void endValues(int p, double[] z, int n, double[] tj, boolean[] active, double at, Tensor h, long row) {
            double lambda = at == t1[p] ? 1 : (at - t0[p]) / (t1[p] - t0[p]);
            for (int j = 0; j < n; j++) {
                double value = at == tj[j] ? 0
                        : (1 - lambda) * z[2 * p * n + j] + lambda * z[(2 * p + 1) * n + j];
                h.setFlat(row * n + j, PiecewiseLinear.slope(phi, active[j]) * value);
            }
        }

        /** Layer l's pre-activations of the rows of {@code h}, tiled over rows, as doubles. */
        private double[] preactivation(int l, Tensor h) {
            Backend backend = network.backend();
            long rows = h.dim(0);
            long out = mlp.layers().get(l).out();
            Tensor z = Tensor.allocate(mlp.dtype(), rows, out);
            if (rows > 0) {
                TileEngine.of(backend, mlp.dtype().byteSize() * (h.dim(1) + out)).run(rows, (scope, from, to) -> {
                    DeviceMatrix x = scope.track(backend.upload(h.slice(from, to)));
                    backend.download(scope.track(network.preactivation(l, x)), z.slice(from, to));
                });
            }
            return z.toDoubleArray();
        }

        private List<SegmentRegions> results(int k) {
            long hidden = offsets[widths.length];
            List<SegmentRegions> out = new ArrayList<>(k);
            int p = 0;
            for (int s = 0; s < k; s++) {
                int first = p;
                while (p < count && segment[p] == s) {
                    p++;
                }
                PackedPatterns patterns = PackedPatterns.zeros(p - first, hidden);
                double[] breakpoints = new double[p - first - 1];
                for (int i = first; i < p; i++) {
                    for (int w = 0; w < words; w++) {
                        patterns.setWord(i - first, w, bits[i * words + w]);
                    }
                    if (i > first) {
                        breakpoints[i - first - 1] = t0[i];
                    }
                }
                out.add(new SegmentRegions(breakpoints, patterns));
            }
            return out;
        }
    }
}
