package io.github.tangent4j.backend.internal;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.tensor.Tensor;
import java.util.Objects;

/**
 * Runs a device computation over rows of a host matrix in pieces, uploading piece k + 1 while the device
 * computes piece k, so that on a backend whose transfers overlap computation ({@link
 * Backend#overlapsTransfers()}) a host-to-host pass takes about as long as the slower of the bus and the
 * computation rather than their sum. For each piece in turn:
 * <ol>
 * <li>{@link Compute#enqueue} on the uploaded piece (on a GPU this only enqueues the work);</li>
 * <li>the upload of the next piece (its copies run beside that work; {@link PrefetchingUploads});</li>
 * <li>{@link Collect#accept} on the piece's result (typically a download, which waits for the work);</li>
 * <li>both matrices of the piece are closed.</li>
 * </ol>
 * So at most two pieces' inputs and one piece's working set are on the device at a time.
 *
 * <p>On a backend without overlapping transfers the rows form one piece: splitting would only shorten
 * its GEMMs.
 */
public final class StreamedRows {
    /** Pieces the rows are split into on a backend with overlapping transfers. */
    static final int PIECES = 8;
    /**
     * The smallest input piece worth a transfer of its own: below it, per-piece launch and
     * synchronisation costs (tens of microseconds) outweigh the overlap gained.
     */
    static final long MIN_PIECE_BYTES = 4L << 20;

    /** The device work for one piece. */
    @FunctionalInterface
    public interface Compute {
        /**
         * Enqueues the computation on {@code x} (the piece's rows, owned by the caller) and returns its
         * result, a new matrix that the caller closes after {@link Collect#accept}.
         */
        DeviceMatrix enqueue(DeviceMatrix x);
    }

    /** What happens to one piece's result. */
    @FunctionalInterface
    public interface Collect {
        /** Takes the result for host rows {@code [from, to)} (typically downloads it). */
        void accept(DeviceMatrix result, long from, long to);
    }

    private StreamedRows() {
    }

    /**
     * Runs {@code compute} and {@code collect} over rows {@code [from, to)} of {@code x} (rank 2, rows along
     * dimension 0) on {@code backend}, in pieces as described above.
     *
     * @throws IllegalArgumentException unless {@code 0 <= from <= to <= x.dim(0)}
     */
    public static void run(Backend backend, Tensor x, long from, long to, Compute compute, Collect collect) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(compute, "compute");
        Objects.requireNonNull(collect, "collect");
        PrefetchingUploads.checkRows(x, from, to);
        if (to > from) {
            run(backend, x, from, to, pieces(backend, to - from, x.byteSize() / x.dim(0)), compute, collect);
        }
    }

    /** {@link #run(Backend, Tensor, long, long, Compute, Collect)} in {@code pieces} (1 to to - from) pieces. */
    static void run(Backend backend, Tensor x, long from, long to, long pieces, Compute compute, Collect collect) {
        long rows = to - from;
        try (PrefetchingUploads uploads = new PrefetchingUploads(backend, x)) {
            for (long p = 0; p < pieces; p++) {
                long a = from + rows * p / pieces;
                long b = from + rows * (p + 1) / pieces;
                DeviceMatrix in = uploads.take(a, b);
                DeviceMatrix out = null;
                try {
                    out = compute.enqueue(in);
                    uploads.prefetch(b, from + rows * Math.min(p + 2, pieces) / pieces);
                    collect.accept(out, a, b);
                } finally {
                    try {
                        if (out != null && out != in) {
                            out.close();
                        }
                    } finally {
                        in.close();
                    }
                }
            }
        }
    }

    /** How many pieces {@code rows} rows of {@code rowBytes} each form on {@code backend}. */
    static long pieces(Backend backend, long rows, long rowBytes) {
        if (!backend.overlapsTransfers()) {
            return 1;
        }
        double worthIt = Math.max(1, (double) rows * rowBytes / MIN_PIECE_BYTES);
        return (long) Math.min(Math.min(PIECES, worthIt), rows);
    }
}
