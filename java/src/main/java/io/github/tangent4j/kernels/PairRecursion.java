package io.github.tangent4j.kernels;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.internal.JacobianPair;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.stream.IntStream;

/**
 * The per-pair layer recursion of {@link JacobianKernel} for the rows of one Gram tile, run by the
 * backend's {@link Backend#jacobianLayers} (on the device for the CUDA backend): the host snaps the Gram
 * entries and finds each pair's coordinates in its orthonormal basis (O(D) per pair), the backend takes
 * every pair through the layers (10 coefficients of the NNGP or the NTK per pair), and the jets come back
 * row by row to a {@link JetRows} that expands them into the output blocks. Rows go to the backend in
 * chunks of at most {@link #CHUNK_PAIRS} pairs, so that its scratch stays bounded whatever the tile.
 */
final class PairRecursion {
    /** Pairs per backend call at most (about 6.5 MB of inputs and jets in double). */
    static final long CHUNK_PAIRS = 1 << 16;

    /**
     * Receives the jets of row point i against every column point, {@code jets[10 j .. 10 j + 9]}, and the
     * pairs' inputs {@code pairs[3 j .. 3 j + 2] = (k1, alpha, beta)} with {@code x' = alpha e1 + beta e2} in
     * x's basis ({@link JacobianKernel.Basis}).
     */
    @FunctionalInterface
    interface JetRows {
        void row(int i, double[] jets, double[] pairs);
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

    /**
     * The recursion of {@code kernel}'s architecture between the rows of xs (N, d) and ys (N2, d), flat
     * row-major, with their squared norms nx, ny and their diagonal tables dx, dy ({@code [0][l][i] = q_l},
     * {@code [1][l][i] = p_l}); {@code same} when ys is xs; Gram entries snapped within tol.
     */
    PairRecursion(InfiniteWidthKernel kernel, double c0, int d, double[] xs, double[] ys, double[] nx, double[] ny,
            double[][][] dx, double[][][] dy, boolean same, double tol, boolean ntk) {
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
    }

    /**
     * The jets of rows {@code [from, to)} against every column point, from their Gram tile (to - from, N2).
     * The chunks share one set of buffers (host and backend), so each chunk's inputs and jets stay small
     * enough to be cached and no chunk allocates, zero-fills or faults in fresh memory.
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
        Chunk buffers = new Chunk(Tensor.allocateUninitialised(f64, chunk, 3L * n2),
                Tensor.allocateUninitialised(f64, chunk, width), Tensor.allocateUninitialised(f64, chunk, (long) c * n2));
        try (DeviceMatrix q2 = depth == 0 ? null : backend.upload(Tensor.of(columnTable(), 2L * depth, n2));
                DeviceMatrix q1d = backend.allocateUninitialised(f64, chunk, width);
                DeviceMatrix pd = backend.allocateUninitialised(f64, chunk, 3L * n2);
                DeviceMatrix out = backend.allocateUninitialised(f64, chunk, (long) c * n2)) {
            for (int r0 = 0; r0 < rows; r0 += chunk) {
                int r1 = Math.min(rows, r0 + chunk);
                run(backend, (int) from, r0, r1, gram, q2, q1d.rows(0, r1 - r0), pd.rows(0, r1 - r0),
                        out.rows(0, r1 - r0), buffers, sink);
            }
        }
    }

    /** A chunk's host buffers: per pair (k1, alpha, beta), per row point its table, and the downloaded jets. */
    private record Chunk(Tensor pairs, Tensor q1, Tensor jets) {
    }

    private void run(Backend backend, int from, int r0, int r1, Tensor gram, DeviceMatrix q2, DeviceMatrix q1d,
            DeviceMatrix pd, DeviceMatrix out, Chunk b, JetRows sink) {
        int n2 = ny.length;
        int m = r1 - r0;
        int width = 1 + 2 * depth;
        int c = JacobianPair.COEFFICIENTS;
        IntStream.range(0, m).parallel().forEach(r -> {
            double[] pairs = new double[3 * n2];
            double[] q1 = new double[width];
            pairRow(from + r0 + r, r0 + r, gram, pairs, 0, q1, 0);
            HostRows.write(pairs, 3 * n2, b.pairs(), (long) r * 3 * n2);
            HostRows.write(q1, width, b.q1(), (long) r * width);
        });
        backend.upload(b.q1().slice(0, m), q1d);
        backend.upload(b.pairs().slice(0, m), pd);
        backend.jacobianLayers(phi, sw2, sb2, c0, q1d, q2, pd, out, ntk);
        Tensor jets = b.jets().slice(0, m);
        backend.download(out, jets);
        IntStream.range(0, m).parallel().forEach(r -> {
            double[] row = new double[c * n2];
            double[] pairs = new double[3 * n2];
            HostRows.read(jets, (long) r * c * n2, row, c * n2);
            HostRows.read(b.pairs(), (long) r * 3 * n2, pairs, 3 * n2);
            sink.row(from + r0 + r, row, pairs);
        });
    }

    /**
     * Row point i's (tile row r's) inputs: per pair (k1, alpha, beta) with k1 = c0 g + B from the snapped Gram
     * entry g and {@code x' = alpha e1 + beta e2}; and (|x|, q_l, p_l ...).
     */
    private void pairRow(int i, int r, Tensor gram, double[] pairs, int at, double[] q1, int q1At) {
        int n2 = ny.length;
        double[] g = new double[n2];
        HostRows.read(gram, (long) r * n2, g, n2);
        JacobianKernel.Basis basis = new JacobianKernel.Basis(xs, i, d);
        double[] e2 = new double[d];
        double[] xy = new double[2];
        for (int j = 0; j < n2; j++) {
            double gj = same && j == i ? nx[i] : Gram.snap(g[j], nx[i], ny[j], tol);
            basis.coordinates(ys, j, e2, xy);
            pairs[at + 3 * j] = c0 * gj + sb2;
            pairs[at + 3 * j + 1] = xy[0];
            pairs[at + 3 * j + 2] = xy[1];
        }
        q1[q1At] = basis.norm;
        for (int l = 0; l < depth; l++) {
            q1[q1At + 1 + 2 * l] = dx[0][l][i];
            q1[q1At + 2 + 2 * l] = dx[1][l][i];
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
