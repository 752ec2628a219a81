package io.github.tangent4j.kernels;

import io.github.tangent4j.backend.internal.JacobianPair;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Expands pairs' jets ({@link JacobianPair}'s 10 coefficients) into their (1+D) x (1+D) output blocks,
 * written straight into the output rows: for a pair (x, x') in the basis (e1, e2) of span(x, x'), with
 * {@code E = [e1 e2]} (D x 2), the block is {@code [[V, (E H)^T], [E G, H0 I + E M E^T]]}. Row a >= 1 of it is
 * {@code [G . E_a, u1 e1 + u2 e2 + H0 e_a]} with {@code (u1, u2) = M^T E_a} and {@code E_a} the a-th row of E.
 * The block of (x', x) is its transpose: the same expansion with G and H, and M12 and M21, exchanged.
 *
 * <p>Each element is computed in double, rounded once to the output's dtype and written once. The D columns
 * of a block run on the Vector API where the module is present ({@link #VECTOR}), with the same operations in
 * the same order as the scalar loop, so both give the same bits; the scalar loop is the fallback and the
 * tests' reference.
 */
final class JetBlocks {
    /** Whether the Vector API loops are used (the module is in the boot layer and its classes link). */
    static final boolean VECTOR = detect();

    /** The coefficients of a jet ({@link JacobianPair}'s order). */
    static final int V = 0;
    static final int G1 = 1;
    static final int G2 = 2;
    static final int H1 = 3;
    static final int H2 = 4;
    static final int H0 = 5;
    static final int M11 = 6;
    static final int M12 = 7;
    static final int M21 = 8;
    static final int M22 = 9;

    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int C = JacobianPair.COEFFICIENTS;

    private JetBlocks() {
    }

    private static boolean detect() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return false;
        }
        try {
            return VectorJetBlocks.LANES > 0;
        } catch (LinkageError e) {
            return false;
        }
    }

    /**
     * Writes row point i's blocks against the column points {@code columns[0, n)} of {@code ys} (N2, d, flat)
     * into output rows {@code [local rows, local rows + rows)} of {@code out} ((.., N2 (1+d)), F32 or F64), their
     * first {@code rows} (1 or 1+d) rows each: from the jets {@code jets[jetsAt + 10 k ...]} and the coordinates
     * {@code pairs[pairsAt + 3 k + 1, + 2] = (alpha, beta)} of column point {@code columns[k]} in the basis whose
     * e1 is {@code e1s[d i ... d i + d - 1]}.
     *
     * @param vector whether to run the Vector API loops (only when {@link #VECTOR})
     */
    static void writeRow(Tensor out, int local, int rows, int d, double[] e1s, int i, double[] ys, double[] pairs,
            int pairsAt, double[] jets, int jetsAt, int[] columns, int n, boolean vector) {
        Writer w = new Writer(out, local, rows, d, vector);
        for (int k = 0; k < n; k++) {
            w.block(columns[k], e1s, i * d, ys, columns[k], pairs, pairsAt + 3 * k, jets, jetsAt + C * k, false);
        }
        w.flush();
    }

    /**
     * Writes row point j's blocks against the row points {@code [i0, i0 + m)}, all 1+d rows, into output rows
     * {@code [local (1+d), (local + 1) (1+d))}: the transposes of theirs against j, from their jets
     * {@code jets[jetsAt + k jetStride ...]} and j's coordinates {@code pairs[pairsAt + k pairStride + 1, + 2]} in
     * the basis of row point i0 + k (whose e1 is in {@code e1s}); ys holds point j.
     */
    static void writeMirror(Tensor out, int local, int d, double[] e1s, int i0, int m, double[] ys, int j,
            double[] pairs, int pairsAt, int pairStride, double[] jets, int jetsAt, int jetStride, boolean vector) {
        Writer w = new Writer(out, local, d + 1, d, vector);
        for (int k = 0; k < m; k++) {
            int i = i0 + k;
            w.block(i, e1s, i * d, ys, j, pairs, pairsAt + k * pairStride, jets, jetsAt + k * jetStride, true);
        }
        w.flush();
    }

    /**
     * Whether every element of the blocks of n pairs' jets ({@code jets[at + 10 k ...]}) is surely finite in {@code dtype}: each is a
     * combination of coefficients with weights of magnitude at most 1 (coordinates of unit vectors), so at most
     * the largest sum of the magnitudes that go into one element, which is kept below a quarter of the dtype's
     * largest number (the rounding margin). False also for NaN.
     */
    static boolean bounded(double[] jets, int at, int n, DType dtype) {
        double limit = (dtype == DType.F32 ? Float.MAX_VALUE : Double.MAX_VALUE) / 4;
        double max = 0;
        for (int k = 0; k < n; k++) {
            int t = at + C * k;
            double g = Math.abs(jets[t + G1]) + Math.abs(jets[t + G2]);
            double h = Math.abs(jets[t + H1]) + Math.abs(jets[t + H2]);
            double m = Math.abs(jets[t + M11]) + Math.abs(jets[t + M12]) + Math.abs(jets[t + M21])
                    + Math.abs(jets[t + M22]) + Math.abs(jets[t + H0]);
            max = Math.max(max, Math.max(Math.abs(jets[t + V]), Math.max(g, Math.max(h, m))));
        }
        return max <= limit;
    }

    /**
     * Writes blocks of one output's point rows, a group of consecutive blocks at a time: computed into a heap
     * stage (rows x group blocks, in the output's dtype), then copied row by row into the output (one bulk copy
     * per row and group, instead of an access to native memory per element). For one thread.
     */
    private static final class Writer {
        /** Blocks per group: a stage of 9 KB for D = 16, F32, kept in L1 (groups of 4-8 wrote fastest, 64: 20% slower). */
        private static final int GROUP = 8;

        final MemorySegment s;
        final boolean f32;
        final int rows;
        final int d;
        final int b;
        final long rowBytes;
        final long at;
        final boolean vector;
        final int stageRow;
        final float[] stageF;
        final double[] stageD;
        final double[] e2;
        final double[] head;
        final double[] u1;
        final double[] u2;
        int first;
        int count;

        /** A writer of output rows {@code [local rows, (local + 1) rows)} of out. */
        Writer(Tensor out, int local, int rows, int d, boolean vector) {
            this.s = out.segment();
            this.f32 = out.dtype() == DType.F32;
            this.rows = rows;
            this.d = d;
            this.b = d + 1;
            this.rowBytes = out.dim(1) * out.dtype().byteSize();
            this.at = (long) local * rows * rowBytes;
            this.vector = vector;
            this.stageRow = GROUP * b;
            this.stageF = f32 ? new float[rows * stageRow] : null;
            this.stageD = f32 ? null : new double[rows * stageRow];
            this.e2 = new double[d];
            this.head = new double[d];
            this.u1 = new double[d];
            this.u2 = new double[d];
        }

        /**
         * The first {@code rows} rows of output block {@code col} of the pair of a row point (e1 at
         * {@code e1[e1At ...]}) and point j of ys (its coordinates at {@code pairs[p + 1, p + 2]}), from
         * {@code jets[t ... t + 9]}, or its transpose.
         */
        void block(int col, double[] e1, int e1At, double[] ys, int j, double[] pairs, int p, double[] jets, int t,
                boolean transposed) {
            if (count == GROUP || (count > 0 && col != first + count)) {
                flush();
            }
            if (count == 0) {
                first = col;
            }
            int q = count++ * b;
            secondBasis(e1, e1At, ys, j, pairs[p + 1], pairs[p + 2]);
            double g1 = jets[t + (transposed ? H1 : G1)];
            double g2 = jets[t + (transposed ? H2 : G2)];
            double h1 = jets[t + (transposed ? G1 : H1)];
            double h2 = jets[t + (transposed ? G2 : H2)];
            double m12 = jets[t + (transposed ? M21 : M12)];
            double m21 = jets[t + (transposed ? M12 : M21)];
            double m11 = jets[t + M11];
            double m22 = jets[t + M22];
            double h0 = jets[t + H0];
            int c = rows > 1 && vector ? VectorJetBlocks.rowCoefficients(e1, e1At, e2, g1, g2, m11, m12, m21, m22,
                    head, u1, u2) : 0;
            for (; c < d && rows > 1; c++) {
                double x1 = e1[e1At + c];
                double x2 = e2[c];
                head[c] = g1 * x1 + g2 * x2;
                u1[c] = m11 * x1 + m21 * x2;
                u2[c] = m12 * x1 + m22 * x2;
            }
            c = vector ? VectorJetBlocks.columns(stageF, stageD, q + 1, stageRow, rows, e1, e1At, e2, h1, h2, u1, u2)
                    : 0;
            for (int a = 0; a < rows; a++) {
                int o = a * stageRow + q;
                double c1 = a == 0 ? h1 : u1[a - 1];
                double c2 = a == 0 ? h2 : u2[a - 1];
                set(o, a == 0 ? jets[t + V] : head[a - 1]);
                for (int k = c; k < d; k++) {
                    set(o + 1 + k, c1 * e1[e1At + k] + c2 * e2[k]);
                }
                if (a > 0) {
                    set(o + a, c1 * e1[e1At + a - 1] + c2 * e2[a - 1] + h0);
                }
            }
        }

        /** Copies the staged blocks into the output. */
        void flush() {
            long to = at + (long) first * b * (f32 ? 4 : 8);
            for (int a = 0; a < rows && count > 0; a++) {
                if (f32) {
                    MemorySegment.copy(stageF, a * stageRow, s, F32_LE, to + a * rowBytes, count * b);
                } else {
                    MemorySegment.copy(stageD, a * stageRow, s, F64_LE, to + a * rowBytes, count * b);
                }
            }
            count = 0;
        }

        private void set(int index, double v) {
            if (f32) {
                stageF[index] = (float) v;
            } else {
                stageD[index] = v;
            }
        }

        /**
         * e2 of the pair: {@code (x' - alpha e1) (1 / beta)} for point j of ys, or 0 where beta = 0 (as
         * {@link JacobianKernel.Basis#coordinates} finds it, but from the pair's alpha and beta).
         */
        private void secondBasis(double[] e1, int e1At, double[] ys, int j, double alpha, double beta) {
            if (!(beta > 0)) {
                Arrays.fill(e2, 0);
                return;
            }
            double inverse = 1 / beta;
            int c = vector ? VectorJetBlocks.secondBasis(e1, e1At, ys, j * d, alpha, inverse, e2) : 0;
            for (; c < d; c++) {
                e2[c] = (ys[j * d + c] - alpha * e1[e1At + c]) * inverse;
            }
        }
    }
}
