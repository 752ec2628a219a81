package io.github.tangent4j.tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * A {@link TileSink} over a {@link ZarrStore}: each tile is cut into the store's chunks, so a tile must
 * start on a chunk boundary and cover whole chunks (clipped at the array's edge); a tile of one chunk is
 * the usual case. {@link #hasTile} is true only when every chunk of the tile is present and whole, so a
 * resumed computation recomputes exactly the tiles with a missing or damaged chunk.
 *
 * @param store the store written to
 */
public record ZarrSink(ZarrStore store) implements TileSink {
    /** A sink writing into {@code store}. */
    public ZarrSink {
        Objects.requireNonNull(store, "store");
    }

    @Override
    public long[] shape() {
        return store.shape();
    }

    @Override
    public DType dtype() {
        return store.dtype();
    }

    @Override
    public boolean hasTile(long rowStart, long rows, long colStart, long cols) {
        long[] range = chunkRange(rowStart, rows, colStart, cols);
        try {
            for (long i = range[0]; i < range[1]; i++) {
                for (long j = range[2]; j < range[3]; j++) {
                    if (!store.hasChunk(i, j)) {
                        return false;
                    }
                }
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(store.directory().location() + ": cannot be read", e);
        }
    }

    @Override
    public void writeTile(long rowStart, long colStart, Tensor block) {
        Objects.requireNonNull(block, "block");
        long[] shape = store.shape();
        long[] chunks = store.chunks();
        boolean wholeRows = shape.length == 1 || chunks[1] == shape[1];
        long rows = block.rank() == 0 ? 0 : block.dim(0);
        long cols = shape.length == 1 ? 1 : block.dim(1);
        long[] range = chunkRange(rowStart, rows, colStart, cols);
        try {
            for (long i = range[0]; i < range[1]; i++) {
                Tensor rowBlock = block.slice(i * chunks[0] - rowStart, Math.min(rows, (i + 1) * chunks[0] - rowStart));
                for (long j = range[2]; j < range[3]; j++) {
                    Tensor piece = wholeRows ? rowBlock
                            : Blocks.columns(rowBlock, j * chunks[1] - colStart, Math.min(cols, (j + 1) * chunks[1] - colStart));
                    store.writeChunk(i, j, piece);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(store.directory().location() + ": chunk could not be written", e);
        }
    }

    /** The chunks [i0, i1) x [j0, j1) a tile covers; it must start on a boundary and end on one or at the edge. */
    private long[] chunkRange(long rowStart, long rows, long colStart, long cols) {
        long[] shape = store.shape();
        long[] chunks = store.chunks();
        long width = shape.length == 1 ? 1 : shape[1];
        long chunkCols = shape.length == 1 ? 1 : chunks[1];
        if (rowStart < 0 || rows < 0 || rowStart + rows > shape[0] || colStart < 0 || cols < 0
                || colStart + cols > width || rowStart % chunks[0] != 0 || colStart % chunkCols != 0
                || (rows % chunks[0] != 0 && rowStart + rows != shape[0])
                || (cols % chunkCols != 0 && colStart + cols != width)) {
            throw new IllegalArgumentException("tile: expected whole chunks of " + Shapes.format(chunks) + " inside "
                    + Shapes.format(shape) + " but was rows [" + rowStart + ", " + (rowStart + rows) + ") x columns ["
                    + colStart + ", " + (colStart + cols) + ")");
        }
        return new long[] {rowStart / chunks[0], ceilDiv(rowStart + rows, chunks[0]), colStart / chunkCols,
            ceilDiv(colStart + cols, chunkCols)};
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
