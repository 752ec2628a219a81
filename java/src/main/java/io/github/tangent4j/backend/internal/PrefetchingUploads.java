package io.github.tangent4j.backend.internal;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.DeviceOutOfMemoryException;
import io.github.tangent4j.tensor.Tensor;
import java.util.Objects;

/**
 * Uploads of row ranges of one host matrix, where the next range can be uploaded ahead of time: a tile
 * loop calls {@link #prefetch} for the next tile's rows right after enqueuing the current tile's device
 * work, so that on a backend whose transfers overlap computation ({@link Backend#overlapsTransfers()})
 * the upload runs beside that work, and {@link #take} hands the prefetched matrix over when the next
 * tile asks for exactly those rows. On other backends {@link #prefetch} does nothing and {@link #take}
 * uploads, so the loop costs what it did without prefetching.
 *
 * <p>Holds at most one prefetched matrix; {@link #close()} frees it if nobody took it. Not thread-safe,
 * like the backend.
 */
public final class PrefetchingUploads implements AutoCloseable {
    private final Backend backend;
    private final Tensor x;
    private DeviceMatrix ahead;
    private long aheadFrom;
    private long aheadTo;

    /**
     * Uploads from {@code x} (rows along dimension 0) to {@code backend}.
     */
    public PrefetchingUploads(Backend backend, Tensor x) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.x = Objects.requireNonNull(x, "x");
    }

    /**
     * Rows {@code [from, to)} of x on the backend, as a new matrix the caller closes: the prefetched one
     * when it holds exactly these rows, else a fresh upload (and a prefetched matrix of other rows is
     * freed first).
     *
     * @throws IllegalArgumentException unless {@code 0 <= from <= to <= x.dim(0)}
     */
    public DeviceMatrix take(long from, long to) {
        checkRows(x, from, to);
        if (ahead != null && aheadFrom == from && aheadTo == to) {
            DeviceMatrix m = ahead;
            ahead = null;
            return m;
        }
        discard();
        return backend.upload(x.slice(from, to));
    }

    /**
     * Starts uploading rows {@code [from, to)} for a later {@link #take}, on a backend whose transfers
     * overlap computation; does nothing otherwise or when {@code from == to}. Replaces an earlier
     * prefetch. A prefetch the device has no memory for is skipped (the later take uploads then).
     *
     * @throws IllegalArgumentException unless {@code 0 <= from <= to <= x.dim(0)}
     */
    public void prefetch(long from, long to) {
        checkRows(x, from, to);
        discard();
        if (from == to || !backend.overlapsTransfers()) {
            return;
        }
        try {
            ahead = backend.upload(x.slice(from, to));
        } catch (DeviceOutOfMemoryException e) {
            return; // an optimisation only: the take will upload once the current tile's memory is free
        }
        aheadFrom = from;
        aheadTo = to;
    }

    /** Frees a prefetched matrix nobody took. */
    @Override
    public void close() {
        discard();
    }

    private void discard() {
        if (ahead != null) {
            DeviceMatrix m = ahead;
            ahead = null;
            m.close();
        }
    }

    /** Checks that {@code [from, to)} is a range of x's rows. */
    static void checkRows(Tensor x, long from, long to) {
        if (from < 0 || from > to || to > x.dim(0)) {
            throw new IllegalArgumentException("rows: expected 0 <= from <= to <= " + x.dim(0) + " but was [" + from
                    + ", " + to + ")");
        }
    }
}
