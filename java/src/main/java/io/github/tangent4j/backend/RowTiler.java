package io.github.tangent4j.backend;

import io.github.tangent4j.tensor.DType;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;

/**
 * Runs a computation whose output is too large for the device in tiles of consecutive rows,
 * sized to the backend's {@link Backend#availableMemory() free memory}. When a tile runs out of
 * memory anyway ({@link DeviceOutOfMemoryException}), what it allocated through its
 * {@link TileScope} is closed and the same rows are retried with half as many, down to a single
 * row; only then is the exception rethrown. Between tiles it reports progress and stops if the
 * thread has been interrupted.
 *
 * <p>Instances are immutable; the {@code with...} methods return modified copies.
 *
 * <pre>{@code
 * RowTiler.of(backend, bytesPerOutputRow).withProgress(bar::update)
 *         .run(n, (scope, from, to) -> {
 *             DeviceMatrix tile = scope.allocate(DType.F64, to - from, n);
 *             ... compute rows [from, to) into tile, download them ...
 *         });
 * }</pre>
 */
public final class RowTiler {
    /**
     * The working set from which tiles of GEMM-bound work stop losing speed on the Java backend, which
     * reports a small working set on purpose: N = 4096 of 784-512-512-10 in one tile of ~300 MB ran at 0.80
     * of the reference GEMM, in 512-example tiles at 0.72 (bench/RESULTS.md, "Jacobians").
     */
    public static final long EFFICIENT_TILE_BYTES = 256L << 20;

    private static final System.Logger LOG = System.getLogger(RowTiler.class.getName());

    /** The work for one tile. */
    @FunctionalInterface
    public interface TileTask {
        /**
         * Computes output rows {@code [from, to)}; device memory for the tile should come from
         * {@code scope} (closed after the tile, also when it fails). It may run more than once for
         * the same rows (after an out-of-memory retry with fewer rows), so it must only write its
         * own rows of the output.
         */
        void run(TileScope scope, long from, long to);
    }

    /** Told after each tile how many rows are done. */
    @FunctionalInterface
    public interface ProgressListener {
        /** {@code rowsDone} of {@code totalRows} rows are finished (called on the computing thread). */
        void onProgress(long rowsDone, long totalRows);
    }

    /**
     * What a run did.
     *
     * @param tiles        tiles that completed
     * @param retries      tiles that ran out of memory and were retried with fewer rows
     * @param lastTileRows the tile height in use at the end
     */
    public record Stats(long tiles, long retries, long lastTileRows) {
    }

    /** The matrices one tile allocates, closed (in reverse order) when the tile ends. */
    public static final class TileScope implements AutoCloseable {
        private final Backend backend;
        private final List<DeviceMatrix> owned = new ArrayList<>();

        TileScope(Backend backend) {
            this.backend = backend;
        }

        /** The backend the tile runs on. */
        public Backend backend() {
            return backend;
        }

        /** A zero-filled matrix freed when the tile ends (see {@link Backend#allocate}). */
        public DeviceMatrix allocate(DType dtype, long rows, long cols) {
            return track(backend.allocate(dtype, rows, cols));
        }

        /**
         * A matrix with unspecified contents freed when the tile ends, for results that overwrite
         * every element (see {@link Backend#allocateUninitialised}).
         */
        public DeviceMatrix allocateUninitialised(DType dtype, long rows, long cols) {
            return track(backend.allocateUninitialised(dtype, rows, cols));
        }

        /** Frees {@code m} when the tile ends; returns it. */
        public <M extends DeviceMatrix> M track(M m) {
            owned.add(Objects.requireNonNull(m, "m"));
            return m;
        }

        @Override
        public void close() {
            RuntimeException failure = null;
            for (int i = owned.size() - 1; i >= 0; i--) {
                try {
                    owned.get(i).close();
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
            owned.clear();
            if (failure != null) {
                throw failure;
            }
        }
    }

    /** Share of the free memory a tile is sized to use, leaving room for the library's own buffers. */
    public static final double DEFAULT_MEMORY_FRACTION = 0.8;

    private final Backend backend;
    private final long bytesPerRow;
    private final long reservedBytes;
    private final double memoryFraction;
    private final long maxTileRows;
    private final long minTileRows;
    private final ProgressListener listener;

    private RowTiler(Backend backend, long bytesPerRow, long reservedBytes, double memoryFraction, long maxTileRows,
            long minTileRows, ProgressListener listener) {
        this.backend = backend;
        this.bytesPerRow = bytesPerRow;
        this.reservedBytes = reservedBytes;
        this.memoryFraction = memoryFraction;
        this.maxTileRows = maxTileRows;
        this.minTileRows = minTileRows;
        this.listener = listener;
    }

    /**
     * A tiler for tiles that need {@code bytesPerRow} bytes of device memory per output row.
     *
     * @throws IllegalArgumentException unless {@code bytesPerRow > 0}
     */
    public static RowTiler of(Backend backend, long bytesPerRow) {
        Objects.requireNonNull(backend, "backend");
        if (bytesPerRow <= 0) {
            throw new IllegalArgumentException("bytesPerRow: expected > 0 but was " + bytesPerRow);
        }
        return new RowTiler(backend, bytesPerRow, 0, DEFAULT_MEMORY_FRACTION, Long.MAX_VALUE, 1, null);
    }

    /** A copy that keeps {@code bytes} (>= 0) of free memory aside for what every tile needs regardless of size. */
    public RowTiler withReservedBytes(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes: expected >= 0 but was " + bytes);
        }
        return new RowTiler(backend, bytesPerRow, bytes, memoryFraction, maxTileRows, minTileRows, listener);
    }

    /** A copy that sizes tiles to {@code fraction} (in (0, 1]) of the free memory. */
    public RowTiler withMemoryFraction(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("fraction: expected a number in (0, 1] but was " + fraction);
        }
        return new RowTiler(backend, bytesPerRow, reservedBytes, fraction, maxTileRows, minTileRows, listener);
    }

    /** A copy whose tiles have at most {@code rows} (>= 1) rows. */
    public RowTiler withMaxTileRows(long rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows: expected >= 1 but was " + rows);
        }
        return new RowTiler(backend, bytesPerRow, reservedBytes, memoryFraction, rows, minTileRows, listener);
    }

    /**
     * A copy whose first tile has at least {@code rows} (>= 1) rows even when the free memory suggests
     * fewer: for work whose GEMMs lose efficiency on short tiles, on a backend that reports a small working
     * set by choice. A tile that then runs out of memory is still halved.
     */
    public RowTiler withMinTileRows(long rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows: expected >= 1 but was " + rows);
        }
        return new RowTiler(backend, bytesPerRow, reservedBytes, memoryFraction, maxTileRows, rows, listener);
    }

    /**
     * {@link #withMinTileRows} for tiles of at least {@code bytes} of working set ({@code bytes / bytesPerRow}
     * rows, at least 1); see {@link #EFFICIENT_TILE_BYTES}.
     */
    public RowTiler withMinTileBytes(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes: expected >= 0 but was " + bytes);
        }
        return withMinTileRows(Math.max(1, bytes / bytesPerRow));
    }

    /** A copy that reports progress to {@code listener} (null: none). */
    public RowTiler withProgress(ProgressListener listener) {
        return new RowTiler(backend, bytesPerRow, reservedBytes, memoryFraction, maxTileRows, minTileRows, listener);
    }

    /**
     * The first tile's height for {@code totalRows} rows: as many rows as fit in the usable free
     * memory, at least 1 and the configured minimum, at most {@code totalRows} and the configured maximum.
     */
    public long initialTileRows(long totalRows) {
        double usable = Math.max(0, (double) backend.availableMemory() - reservedBytes) * memoryFraction;
        long fit = (long) Math.min(Long.MAX_VALUE, Math.floor(usable / bytesPerRow));
        return Math.max(1, Math.min(Math.max(fit, minTileRows), Math.min(totalRows, maxTileRows)));
    }

    /**
     * Runs {@code task} over rows {@code [0, totalRows)} in tiles.
     *
     * @throws DeviceOutOfMemoryException if even a one-row tile does not fit
     * @throws CancellationException      if the thread was interrupted (checked before every tile; the
     *                                    interrupt flag stays set)
     */
    public Stats run(long totalRows, TileTask task) {
        Objects.requireNonNull(task, "task");
        if (totalRows < 0) {
            throw new IllegalArgumentException("totalRows: expected >= 0 but was " + totalRows);
        }
        if (totalRows == 0) {
            return new Stats(0, 0, 0);
        }
        long tile = initialTileRows(totalRows);
        long done = 0;
        long tiles = 0;
        long retries = 0;
        while (done < totalRows) {
            if (Thread.currentThread().isInterrupted()) {
                throw new CancellationException("interrupted after " + done + " of " + totalRows + " rows");
            }
            long to = Math.min(totalRows, done + tile);
            try (TileScope scope = new TileScope(backend)) {
                task.run(scope, done, to);
            } catch (DeviceOutOfMemoryException e) {
                long rows = to - done;
                if (rows <= 1) {
                    throw e;
                }
                tile = rows / 2;
                retries++;
                LOG.log(Level.DEBUG, () -> "tile of " + rows + " rows ran out of memory on the " + backend.name()
                        + " backend (" + e.getMessage() + "); retrying with " + rows / 2);
                continue;
            }
            done = to;
            tiles++;
            if (listener != null) {
                listener.onProgress(done, totalRows);
            }
        }
        return new Stats(tiles, retries, tile);
    }
}
