package io.github.tangent4j.kernels;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.internal.JacobianPair;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.stream.IntStream;

/**
 * The per-pair layer recursion of {@link JacobianKernel} for the rows of one Gram tile, run by the
 * backend's {@link Backend#jacobianLayers} (on the device for the CUDA backend): the host snaps the Gram
 * entries and finds each pair's coordinates in its orthonormal basis (O(D) per pair), the backend takes
 * every pair through the layers (10 coefficients of the NNGP or the NTK per pair), and the jets come back
 * row by row to a {@link JetRows} that expands them into the output blocks. Rows go to the backend in
 * chunks of at most {@link #CHUNK_PAIRS} pairs, so that its scratch stays bounded whatever the tile.
 *
 * <p>When the kernel is symmetric and its whole square is written ({@code mirror}), a chunk's rows skip the
 * column points that are rows of a later chunk of the same tile: those blocks are the transposes of blocks
 * that the later chunk computes, and it hands them to {@link JetRows#mirror}. That is about half the pairs
 * of a tile of all points. Each chunk's columns are packed (the points before the chunk's end, then those
 * after the tile) into the same buffers, so the backend's primitive sees an ordinary (rows, cols) grid.
 */
final class PairRecursion {
    /** Pairs per backend call at most (about 6.5 MB of inputs and jets in double). */
    static final long CHUNK_PAIRS = 1 << 16;
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Receives the jets of a chunk's pairs, to write their blocks. */
    interface JetRows {
        /**
         * Row point i's jets against the column points {@code columns[0, n)} (ascending): for column point
         * {@code columns[k]}, {@code jets[jetsAt + 10 k ...]} (10) and {@code pairs[pairsAt + 3 k ...] = (k1, alpha,
         * beta)} with {@code x' = alpha e1 + beta e2} in x's basis ({@link JacobianKernel.Basis}).
         */
        void row(int i, double[] jets, int jetsAt, double[] pairs, int pairsAt, int[] columns, int n);

        /**
         * Only with {@code mirror}: row point j's blocks against the m row points {@code [i0, i0 + m)} of a later
         * chunk of the same tile, the transposes of their blocks against j, whose jets and pairs (in the row
         * points' bases, as {@link #row} gets them) are at {@code jets[jetsAt + k jetStride ...]} and
         * {@code pairs[pairsAt + k pairStride ...]} for row point i0 + k.
         */
        void mirror(int j, int i0, int m, double[] jets, int jetsAt, int jetStride, double[] pairs, int pairsAt,
                int pairStride);
    }

    private final Activation phi;
    private final double sw2;
    private final double sb2;
    private final int depth;
    private final double c0;
    private final int d;
    private final double[] xs;
    private final double[] ys;
    private final double[] nx;
    private final double[] ny;
    private final double[][][] dx;
    private final double[][][] dy;
    private final boolean same;
    private final double tol;
    private final boolean ntk;
    private final boolean mirror;

    /**
     * The recursion of {@code kernel}'s architecture between the rows of xs (N, d) and ys (N2, d), flat
     * row-major, with their squared norms nx, ny and their diagonal tables dx, dy ({@code [0][l][i] = q_l},
     * {@code [1][l][i] = p_l}); {@code same} when ys is xs; Gram entries snapped within tol; {@code mirror}
     * (only when same): the whole square is written, so a tile's later blocks are mirrored ({@link JetRows#mirror}).
     */
    PairRecursion(InfiniteWidthKernel kernel, double c0, int d, double[] xs, double[] ys, double[] nx, double[] ny,
            double[][][] dx, double[][][] dy, boolean same, double tol, boolean ntk, boolean mirror) {
        this.phi = kernel.activation();
        this.sw2 = kernel.sigmaW2();
        this.sb2 = kernel.sigmaB2();
        this.depth = kernel.depth();
        this.c0 = c0;
        this.d = d;
        this.xs = xs;
        this.ys = ys;
        this.nx = nx;
        this.ny = ny;
        this.dx = dx;
        this.dy = dy;
        this.same = same;
        this.tol = tol;
        this.ntk = ntk;
        this.mirror = same && mirror;
    }

    /**
     * The jets of rows {@code [from, to)} against every column point (with {@code mirror}: those the chunks
     * compute), from their Gram tile (to - from, N2). The chunks share one set of buffers (host and backend),
     * so each chunk's inputs and jets stay small enough to be cached and no chunk allocates, zero-fills or
     * faults in fresh memory.
     */
    void tile(Backend backend, long from, long to, Tensor gram, JetRows sink) {
        int n2 = ny.length;
        int rows = (int) (to - from);
        if (n2 == 0 || rows == 0) {
            return;
        }
        int chunk = (int) Math.max(1, Math.min(rows, CHUNK_PAIRS / n2));
        int width = 1 + 2 * depth;
        int c = JacobianPair.COEFFICIENTS;
        DType f64 = DType.F64;
        Chunk buffers = new Chunk(Tensor.allocateUninitialised(f64, chunk * 3L * n2),
                Tensor.allocateUninitialised(f64, chunk, width), Tensor.allocateUninitialised(f64, chunk * (long) c * n2),
                Tensor.allocateUninitialised(f64, Math.max(1, 2L * depth * n2)), new int[n2], columnTable(),
                new double[chunk * 3 * n2], new double[chunk * c * n2]);
        try (DeviceMatrix q2 = backend.allocateUninitialised(f64, Math.max(1, 2L * depth * n2), 1);
                DeviceMatrix q1d = backend.allocateUninitialised(f64, chunk, width);
                DeviceMatrix pd = backend.allocateUninitialised(f64, chunk * 3L * n2, 1);
                DeviceMatrix out = backend.allocateUninitialised(f64, chunk * (long) c * n2, 1)) {
            for (int r0 = 0; r0 < rows; r0 += chunk) {
                int r1 = Math.min(rows, r0 + chunk);
                int cols = columns(buffers.columns(), (int) from + r1, (int) to);
                int m = r1 - r0;
                run(backend, (int) from, r0, r1, cols, gram, depth == 0 ? null : view(q2, 2L * depth, cols),
                        q1d.rows(0, m), view(pd, m, 3L * cols), view(out, m, (long) c * cols), buffers, sink);
            }
        }
    }

    /** The first rows x cols elements of a flat (capacity, 1) matrix, as (rows, cols). */
    private static DeviceMatrix view(DeviceMatrix flat, long rows, long cols) {
        return flat.rows(0, rows * cols).reshape(rows, cols);
    }

    /**
     * Writes a chunk's column points to {@code columns} and returns their count: all, or with {@code mirror}
     * those before {@code end} (the chunk's last row point + 1) and from {@code tileEnd} on.
     */
    private int columns(int[] columns, int end, int tileEnd) {
        int n2 = ny.length;
        int n = 0;
        for (int j = 0; j < n2; j++) {
            if (!mirror || j < end || j >= tileEnd) {
                columns[n++] = j;
            }
        }
        return n;
    }

    /**
     * A chunk's host buffers: per pair (k1, alpha, beta), per row point its table, the downloaded jets (flat,
     * as many columns as the chunk has), the packed column table, the chunk's column points, the column
     * table of all points ({@link #columnTable}), and the pairs and jets on the heap, where the writers read
     * them (one bulk copy each way per chunk).
     */
    private record Chunk(Tensor pairs, Tensor q1, Tensor jets, Tensor q2, int[] columns, double[] table,
            double[] pairsHeap, double[] jetsHeap) {
    }

    private void run(Backend backend, int from, int r0, int r1, int cols, Tensor gram, DeviceMatrix q2,
            DeviceMatrix q1d, DeviceMatrix pd, DeviceMatrix out, Chunk b, JetRows sink) {
        int n2 = ny.length;
        int m = r1 - r0;
        int width = 1 + 2 * depth;
        int c = JacobianPair.COEFFICIENTS;
        int[] columns = b.columns();
        double[] pairs = b.pairsHeap();
        IntStream.range(0, m).parallel().forEach(r -> {
            double[] q1 = new double[width];
            pairRow(from + r0 + r, r0 + r, gram, columns, cols, pairs, r * 3 * cols, q1);
            HostRows.write(q1, width, b.q1(), (long) r * width);
        });
        MemorySegment.copy(pairs, 0, b.pairs().segment(), F64, 0, 3 * m * cols);
        if (q2 != null) {
            double[] packed = new double[2 * depth * cols];
            for (int l = 0; l < 2 * depth; l++) {
                for (int k = 0; k < cols; k++) {
                    packed[l * cols + k] = b.table()[l * n2 + columns[k]];
                }
            }
            HostRows.write(packed, packed.length, b.q2(), 0);
            backend.upload(b.q2().slice(0, packed.length).reshape(2L * depth, cols), q2);
        }
        backend.upload(b.q1().slice(0, m), q1d);
        backend.upload(b.pairs().slice(0, 3L * m * cols).reshape(m, 3L * cols), pd);
        backend.jacobianLayers(phi, sw2, sb2, c0, q1d, q2, pd, out, ntk);
        Tensor jets = b.jets().slice(0, (long) c * m * cols).reshape(m, (long) c * cols);
        backend.download(out, jets);
        double[] jetsHeap = b.jetsHeap();
        MemorySegment.copy(jets.segment(), F64, 0, jetsHeap, 0, c * m * cols);
        IntStream.range(0, m).parallel().forEach(r ->
                sink.row(from + r0 + r, jetsHeap, r * c * cols, pairs, r * 3 * cols, columns, cols));
        if (mirror && r0 > 0) {
            // rows [from, from + r0) are the columns [from, from + r0) of this chunk (all before its end)
            IntStream.range(from, from + r0).parallel().forEach(j ->
                    sink.mirror(j, from + r0, m, jetsHeap, j * c, c * cols, pairs, j * 3, 3 * cols));
        }
    }

    /**
     * Row point i's (tile row r's) inputs: per column point {@code columns[k]} (k < n) the pair's (k1, alpha,
     * beta) at {@code pairs[at + 3 k ...]}, with k1 = c0 g + B from the snapped Gram entry g and
     * {@code x' = alpha e1 + beta e2}; and (|x|, q_l, p_l ...) in q1.
     */
    private void pairRow(int i, int r, Tensor gram, int[] columns, int n, double[] pairs, int at, double[] q1) {
        int n2 = ny.length;
        double[] g = new double[n2];
        HostRows.read(gram, (long) r * n2, g, n2);
        JacobianKernel.Basis basis = new JacobianKernel.Basis(xs, i, d);
        double[] e2 = new double[d];
        double[] xy = new double[2];
        for (int k = 0; k < n; k++) {
            int j = columns[k];
            double gj = same && j == i ? nx[i] : Gram.snap(g[j], nx[i], ny[j], tol);
            basis.coordinates(ys, j, e2, xy);
            pairs[at + 3 * k] = c0 * gj + sb2;
            pairs[at + 3 * k + 1] = xy[0];
            pairs[at + 3 * k + 2] = xy[1];
        }
        q1[0] = basis.norm;
        for (int l = 0; l < depth; l++) {
            q1[1 + 2 * l] = dx[0][l][i];
            q1[2 + 2 * l] = dx[1][l][i];
        }
    }

    /** (2L, N2): row 2l the column points' q_l, row 2l+1 their p_l. */
    private double[] columnTable() {
        int n2 = ny.length;
        double[] t = new double[2 * depth * n2];
        for (int l = 0; l < depth; l++) {
            System.arraycopy(dy[0][l], 0, t, 2 * l * n2, n2);
            System.arraycopy(dy[1][l], 0, t, (2 * l + 1) * n2, n2);
        }
        return t;
    }
}
