package io.github.tangent4j.backend;

import io.github.tangent4j.backend.internal.TiledTranspose;
import io.github.tangent4j.tensor.Finite;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.tensor.TensorSink;
import io.github.tangent4j.tensor.TileSink;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;

/**
 * The one tile engine every large computation runs on. An output too large for the device is a grid of
 * tiles, each a pure function of (model or kernel description, row block, column block):
 * <ul>
 *   <li><b>row plans</b> ({@link #run}): tiles of consecutive rows;</li>
 *   <li><b>grids</b> ({@link #runGrid}): row x column blocks ({@link TilePlan}); <b>symmetric</b> grids
 *       compute the blocks on and below the diagonal and write each one below also mirrored
 *       ({@link TiledTranspose#mirror}), the diagonal blocks' upper parts from their lower parts
 *       ({@link TiledTranspose#symmetrizeFromLower}), so the result is exactly symmetric.</li>
 * </ul>
 * Tiles are sized to the backend's {@link Backend#availableMemory() free memory}: a tile of r rows (and, in a
 * grid, r columns) is taken to need {@code r * bytesPerRow + r^2 * bytesPerCell} bytes. When a tile runs out
 * of memory anyway ({@link DeviceOutOfMemoryException}), what it allocated through its {@link TileScope} is
 * closed and the plan resumes at the failed block with half the height, down to one row; only then is the
 * exception rethrown. Between tiles it reports {@link Progress} (in cells of the plan) and stops with
 * {@link CancellationException} if the thread has been interrupted. Grid tiles go to {@link TileSink}s: a
 * tensor in memory, a memory-mapped {@code .npy} ({@link io.github.tangent4j.tensor.TensorSink}) or a chunked
 * store.
 *
 * <p>Instances are immutable; the {@code with...} methods return modified copies.
 *
 * <pre>{@code
 * TileEngine.of(backend, bytesPerOutputRow).withProgress(bar::update)
 *         .run(n, (scope, from, to) -> {
 *             DeviceMatrix tile = scope.allocate(DType.F64, to - from, n);
 *             ... compute rows [from, to) into tile, download them ...
 *         });
 * }</pre>
 */
public final class TileEngine {
    /**
     * The working set from which tiles of GEMM-bound work stop losing speed on the Java backend, which
     * reports a small working set on purpose: N = 4096 of 784-512-512-10 in one tile of ~300 MB ran at 0.80
     * of the reference GEMM, in 512-example tiles at 0.72 (bench/RESULTS.md, "Jacobians").
     */
    public static final long EFFICIENT_TILE_BYTES = 256L << 20;

    private static final System.Logger LOG = System.getLogger(TileEngine.class.getName());

    /** The work for one tile of a row plan. */
    @FunctionalInterface
    public interface RowTask {
        /**
         * Computes output rows {@code [from, to)}; device memory for the tile should come from
         * {@code scope} (closed after the tile, also when it fails). It may run more than once for
         * the same rows (after an out-of-memory retry with fewer rows), so it must only write its
         * own rows of the output.
         */
        void run(TileScope scope, long from, long to);
    }

    /**
     * What a run did.
     *
     * @param tiles        tiles that completed
     * @param retries      tiles that ran out of memory and were retried with fewer rows
     * @param lastTileRows the tile height (and, in a grid, width) in use at the end
     */
    public record Stats(long tiles, long retries, long lastTileRows) {
    }

    /** Share of the free memory a tile is sized to use, leaving room for the library's own buffers. */
    public static final double DEFAULT_MEMORY_FRACTION = 0.8;

    private final Backend backend;
    private final long bytesPerRow;
    private final double bytesPerCell;
    private final long reservedBytes;
    private final double memoryFraction;
    private final long maxTileRows;
    private final long minTileRows;
    private final Progress listener;

    private TileEngine(Backend backend, long bytesPerRow, double bytesPerCell, long reservedBytes,
            double memoryFraction, long maxTileRows, long minTileRows, Progress listener) {
        this.backend = backend;
        this.bytesPerRow = bytesPerRow;
        this.bytesPerCell = bytesPerCell;
        this.reservedBytes = reservedBytes;
        this.memoryFraction = memoryFraction;
        this.maxTileRows = maxTileRows;
        this.minTileRows = minTileRows;
        this.listener = listener;
    }

    /**
     * An engine for tiles that need {@code bytesPerRow} bytes of device memory per output row (per row of
     * a block, in a grid; see {@link #withBytesPerCell} for what grows with its area).
     *
     * @throws IllegalArgumentException unless {@code bytesPerRow > 0}
     */
    public static TileEngine of(Backend backend, long bytesPerRow) {
        Objects.requireNonNull(backend, "backend");
        if (bytesPerRow <= 0) {
            throw new IllegalArgumentException("bytesPerRow: expected > 0 but was " + bytesPerRow);
        }
        return new TileEngine(backend, bytesPerRow, 0, 0, DEFAULT_MEMORY_FRACTION, Long.MAX_VALUE, 1, null);
    }

    /** A copy that keeps {@code bytes} (>= 0) of free memory aside for what every tile needs regardless of size. */
    public TileEngine withReservedBytes(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes: expected >= 0 but was " + bytes);
        }
        return new TileEngine(backend, bytesPerRow, bytesPerCell, bytes, memoryFraction, maxTileRows, minTileRows, listener);
    }

    /** A copy that sizes tiles to {@code fraction} (in (0, 1]) of the free memory. */
    public TileEngine withMemoryFraction(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("fraction: expected a number in (0, 1] but was " + fraction);
        }
        return new TileEngine(backend, bytesPerRow, bytesPerCell, reservedBytes, fraction, maxTileRows, minTileRows, listener);
    }

    /** A copy whose tiles have at most {@code rows} (>= 1) rows. */
    public TileEngine withMaxTileRows(long rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows: expected >= 1 but was " + rows);
        }
        return new TileEngine(backend, bytesPerRow, bytesPerCell, reservedBytes, memoryFraction, rows, minTileRows, listener);
    }

    /**
     * A copy whose first tile has at least {@code rows} (>= 1) rows even when the free memory suggests
     * fewer: for work whose GEMMs lose efficiency on short tiles, on a backend that reports a small working
     * set by choice. A tile that then runs out of memory is still halved.
     */
    public TileEngine withMinTileRows(long rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows: expected >= 1 but was " + rows);
        }
        return new TileEngine(backend, bytesPerRow, bytesPerCell, reservedBytes, memoryFraction, maxTileRows, rows, listener);
    }

    /**
     * {@link #withMinTileRows} for tiles of at least {@code bytes} of working set ({@code bytes / bytesPerRow}
     * rows, at least 1); see {@link #EFFICIENT_TILE_BYTES}.
     */
    public TileEngine withMinTileBytes(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes: expected >= 0 but was " + bytes);
        }
        return withMinTileRows(Math.max(1, bytes / bytesPerRow));
    }

    /**
     * A copy for grid tiles that need, besides {@code bytesPerRow} per row of a block, {@code bytes} (>= 0)
     * per cell: a block of r x r cells is sized to {@code r * bytesPerRow + r^2 * bytes}.
     */
    public TileEngine withBytesPerCell(double bytes) {
        if (!(bytes >= 0) || Double.isInfinite(bytes)) {
            throw new IllegalArgumentException("bytes: expected a finite value >= 0 but was " + bytes);
        }
        return new TileEngine(backend, bytesPerRow, bytes, reservedBytes, memoryFraction, maxTileRows, minTileRows,
                listener);
    }

    /** A copy that reports progress to {@code listener} (null: none), in cells of the plan (see {@link Progress}). */
    public TileEngine withProgress(Progress listener) {
        return new TileEngine(backend, bytesPerRow, bytesPerCell, reservedBytes, memoryFraction, maxTileRows, minTileRows, listener);
    }

    /**
     * The first tile's height for {@code totalRows} rows: as many rows as fit in the usable free
     * memory ({@code r * bytesPerRow + r^2 * bytesPerCell <= usable}), at least 1 and the configured minimum,
     * at most {@code totalRows} and the configured maximum. When the minimum already reaches that cap the
     * backend's free memory is not asked for (on the Java backend the question reads /proc/meminfo: 0.25 ms,
     * 1 % of a small Jacobian).
     */
    public long initialTileRows(long totalRows) {
        long cap = Math.min(totalRows, maxTileRows);
        if (minTileRows >= cap) {
            return Math.max(1, cap);
        }
        double usable = Math.max(0, (double) backend.availableMemory() - reservedBytes) * memoryFraction;
        double rows = bytesPerCell == 0 ? Math.floor(usable / bytesPerRow)
                : (-bytesPerRow + Math.sqrt((double) bytesPerRow * bytesPerRow + 4 * bytesPerCell * usable))
                        / (2 * bytesPerCell);
        long fit = (long) Math.min(Long.MAX_VALUE, rows);
        return Math.max(1, Math.min(Math.max(fit, minTileRows), Math.min(totalRows, maxTileRows)));
    }

    /**
     * Runs {@code task} over rows {@code [0, totalRows)} in tiles (a row plan). Progress counts rows.
     *
     * @throws DeviceOutOfMemoryException if even a one-row tile does not fit
     * @throws CancellationException      if the thread was interrupted (checked before every tile; the
     *                                    interrupt flag stays set)
     */
    public Stats run(long totalRows, RowTask task) {
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
            checkInterrupt(done, totalRows, "rows");
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

    /** The work for one tile of a row plan into a sink ({@link #runInto}). */
    @FunctionalInterface
    public interface RowBlockTask {
        /**
         * Fills {@code block} with the output rows of plan rows {@code [from, to)}: the sink's shape with its
         * first axis {@code (to - from) * rowsPerStep}. Device memory should come from {@code scope}. It may run
         * again for the same rows after an out-of-memory retry and must then give the same values.
         */
        void run(TileScope scope, long from, long to, Tensor block);
    }

    /**
     * A {@link RowBlockTask} that checks its own blocks for overflow ({@link Finite#checkTile}'s policy: an
     * {@link ArithmeticException} before the block is used) more cheaply than a scan of the block can, e.g. from
     * bounds on the factors of a product; {@link #runInto} does not scan its blocks again.
     */
    @FunctionalInterface
    public interface SelfCheckingRowBlockTask extends RowBlockTask {
    }

    /**
     * The most bytes of a host block {@link #runInto} allocates for a sink that is not a tensor; a plan row
     * larger than this gets a block of its own.
     */
    public static final long MAX_HOST_BLOCK_BYTES = EFFICIENT_TILE_BYTES;

    /** {@link #runInto(TileSink, long, RowBlockTask)} with one output row per plan row. */
    public Stats runInto(TileSink sink, RowBlockTask task) {
        return runInto(sink, 1, task);
    }

    /**
     * Runs a row plan over the first axis of {@code sink}'s output, {@code rowsPerStep} (>= 1) output rows per
     * plan row (e.g. a point owning 1 + D rows), and writes each tile's block to the sink. A {@link TensorSink}
     * (a tensor in memory or a memory-mapped {@code .npy}) is written in place: the block is the view of its
     * rows. Other sinks get a host block per tile, at most {@link #MAX_HOST_BLOCK_BYTES} unless one plan row
     * needs more, handed to {@link TileSink#writeTile} at ({@code from * rowsPerStep}, 0); tiles the sink
     * already holds ({@link TileSink#hasTile}) are skipped. Progress counts plan rows.
     *
     * @throws IllegalArgumentException unless {@code rowsPerStep >= 1} divides the output's first axis
     * @throws DeviceOutOfMemoryException as {@link #run}
     * @throws CancellationException      as {@link #run}
     */
    public Stats runInto(TileSink sink, long rowsPerStep, RowBlockTask task) {
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(task, "task");
        long[] shape = sink.shape();
        if (shape.length < 1 || rowsPerStep < 1 || shape[0] % rowsPerStep != 0) {
            throw new IllegalArgumentException("rowsPerStep: expected a divisor >= 1 of the output's first axis "
                    + (shape.length < 1 ? "(none)" : shape[0]) + " but was " + rowsPerStep);
        }
        long steps = shape[0] / rowsPerStep;
        long cols = shape.length == 1 ? 1 : shape[1];
        Tensor whole = sink instanceof TensorSink t ? t.tensor() : null;
        TileEngine engine = this;
        if (whole == null) {
            double stepBytes = (double) sink.dtype().byteSize() * rowsPerStep;
            for (int a = 1; a < shape.length; a++) {
                stepBytes *= shape[a];
            }
            engine = withMaxTileRows(Math.min(maxTileRows, Math.max(1, (long) (MAX_HOST_BLOCK_BYTES / Math.max(1, stepBytes)))));
        }
        return engine.run(steps, (scope, from, to) -> {
            long r0 = from * rowsPerStep;
            long rows = (to - from) * rowsPerStep;
            if (whole != null) {
                Tensor view = whole.slice(r0, r0 + rows);
                task.run(scope, from, to, view);
                if (!(task instanceof SelfCheckingRowBlockTask)) {
                    Finite.checkTile(view, r0, 0);
                }
                return;
            }
            if (sink.hasTile(r0, rows, 0, cols)) {
                return;
            }
            long[] blockShape = shape.clone();
            blockShape[0] = rows;
            Tensor block = Tensor.allocateUninitialised(sink.dtype(), blockShape);
            task.run(scope, from, to, block);
            if (task instanceof SelfCheckingRowBlockTask) {
                sink.writeTile(r0, 0, block);
            } else {
                writeTile(sink, r0, 0, block);
            }
        });
    }

    /**
     * The work for the tiles of a grid.
     *
     * @param <R> what the tiles of one row block share (e.g. the row block's features on the device)
     */
    public interface GridTask<R> {
        /**
         * Prepares row block {@code [i0, i1)}: its device memory should come from {@code scope}, closed after
         * the row block's last tile (also when one fails).
         */
        R rowBlock(TileScope scope, long i0, long i1);

        /**
         * Computes one tile: one host block per sink, each of the sink's shape with its first two axes
         * {@code (i1 - i0, j1 - j0)}. Device memory should come from {@code scope}, closed after the tile. It
         * may run again for the same cells after an out-of-memory retry, and must give the same values.
         */
        List<Tensor> tile(R row, TileScope scope, TilePlan.Tile tile);
    }

    /**
     * Runs a grid over the first two axes (N x N2 cells) of the outputs {@code sinks}, row block by row block
     * ({@link TilePlan}), writing each tile's blocks to the sinks (and, in a symmetric plan, each tile below
     * the diagonal also mirrored, {@link TiledTranspose#mirror}). Blocks are r x r cells with r sized as
     * {@link #initialTileRows} says for {@code max(N, N2)}; a tile that runs out of memory restarts its row
     * block with r / 2. Tiles every sink already holds ({@link TileSink#hasTile}, with their mirror) are
     * skipped. Progress counts cells.
     *
     * @param symmetric whether the outputs equal their transposes (N = N2; x2 is x)
     * @throws DeviceOutOfMemoryException if even a one-row block does not fit
     * @throws CancellationException      if the thread was interrupted (checked before every tile)
     */
    public <R> Stats runGrid(long n, long n2, boolean symmetric, List<? extends TileSink> sinks, GridTask<R> task) {
        Objects.requireNonNull(sinks, "sinks");
        Objects.requireNonNull(task, "task");
        if (n < 0 || n2 < 0) {
            throw new IllegalArgumentException("n, n2: expected >= 0 but were " + n + ", " + n2);
        }
        if (n == 0 || n2 == 0) {
            return new Stats(0, 0, 0);
        }
        long total = n * n2;
        long block = initialTileRows(Math.max(n, n2));
        long start = 0;
        long tiles = 0;
        long retries = 0;
        long done = 0;
        long reported = 0;
        while (start < n) {
            long i1 = Math.min(n, start + block);
            long doneBefore = done;
            try (TileScope rowScope = new TileScope(backend)) {
                R row = null;
                boolean prepared = false;
                for (TilePlan.Tile t : TilePlan.rowBlock(n, n2, block, symmetric, start)) {
                    checkInterrupt(done, total, "cells");
                    if (!present(sinks, t)) {
                        if (!prepared) {
                            row = task.rowBlock(rowScope, start, i1);
                            prepared = true;
                        }
                        try (TileScope scope = new TileScope(backend)) {
                            write(sinks, task.tile(row, scope, t), t, symmetric);
                        }
                        tiles++;
                    }
                    done += t.cells();
                    if (listener != null && done > reported) {
                        reported = done;
                        listener.onProgress(done, total);
                    }
                }
            } catch (DeviceOutOfMemoryException e) {
                if (block <= 1) {
                    throw e;
                }
                long failed = block;
                block = block / 2;
                retries++;
                done = doneBefore;
                LOG.log(Level.DEBUG, () -> "a grid block of " + failed + " rows ran out of memory on the "
                        + backend.name() + " backend (" + e.getMessage() + "); resuming with " + failed / 2);
                continue;
            }
            start = i1;
        }
        return new Stats(tiles, retries, block);
    }

    private static boolean present(List<? extends TileSink> sinks, TilePlan.Tile t) {
        if (sinks.isEmpty()) {
            return false;
        }
        for (TileSink s : sinks) {
            if (!s.hasTile(t.i0(), t.i1() - t.i0(), t.j0(), t.j1() - t.j0())
                    || (t.mirrored() && !s.hasTile(t.j0(), t.j1() - t.j0(), t.i0(), t.i1() - t.i0()))) {
                return false;
            }
        }
        return true;
    }

    private static void write(List<? extends TileSink> sinks, List<Tensor> blocks, TilePlan.Tile t,
            boolean symmetric) {
        if (blocks.size() != sinks.size()) {
            throw new IllegalStateException("a tile gave " + blocks.size() + " blocks for " + sinks.size() + " sinks");
        }
        for (int s = 0; s < blocks.size(); s++) {
            Tensor b = blocks.get(s);
            if (symmetric && t.onDiagonal()) {
                TiledTranspose.symmetrizeFromLower(b);
            }
            writeTile(sinks.get(s), t.i0(), t.j0(), b);
            if (t.mirrored()) {
                sinks.get(s).writeTile(t.j0(), t.i0(), TiledTranspose.mirror(b));
            }
        }
    }

    /**
     * Writes one tile to {@code sink} ({@link TileSink#writeTile}) after checking it is finite: the overflow
     * policy of every tiled result (a result computed from finite inputs must be finite), applied where the
     * tile is written so that no sink, in memory, on disk or user-made, receives an overflowed tile.
     *
     * @throws ArithmeticException naming the first bad element by its index in the whole output
     *                             ({@link Finite#checkTile}); nothing is written then
     */
    public static void writeTile(TileSink sink, long rowStart, long colStart, Tensor block) {
        Finite.checkTile(block, rowStart, colStart);
        sink.writeTile(rowStart, colStart, block);
    }

    private static void checkInterrupt(long done, long total, String unit) {
        if (Thread.currentThread().isInterrupted()) {
            throw new CancellationException("interrupted after " + done + " of " + total + " " + unit);
        }
    }
}
