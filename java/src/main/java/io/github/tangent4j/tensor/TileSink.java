package io.github.tangent4j.tensor;

import java.util.Objects;

/**
 * Where a tiled computation puts its result: a tensor in memory, a memory-mapped {@code .npy}, or a
 * chunked store (Zarr v2). The output is an array of {@link #shape()}; a tile is the block of rows
 * {@code [rowStart, rowStart + rows)} and, for outputs tiled in two dimensions, columns
 * {@code [colStart, colStart + cols)} of its first two axes, with every trailing axis whole.
 *
 * <p>A tile is a pure function of the computation and its block, so writing the same tile twice writes
 * the same bytes; a sink may therefore skip tiles it already holds ({@link #hasTile}), which is how an
 * interrupted run resumes. Implementations must make each write whole or absent: a run killed in the
 * middle of {@link #writeTile} never leaves a partial tile that {@link #hasTile} reports as present.
 */
public interface TileSink extends AutoCloseable {

    /** The shape of the whole output; tiles cover the first axis (row plans) or the first two (grids). */
    long[] shape();

    /** The element type of the output; tiles must have it. */
    DType dtype();

    /**
     * Whether the block starting at ({@code rowStart}, {@code colStart}) with {@code rows} x {@code cols}
     * entries over the first two axes (for a row plan: {@code colStart = 0}, {@code cols} = the second
     * axis's length, or 1 for a one-dimensional output) is already present and whole, so a resumed run
     * may skip it. Sinks without persistence answer {@code false}.
     */
    default boolean hasTile(long rowStart, long rows, long colStart, long cols) {
        return false;
    }

    /**
     * Writes one tile. {@code block} has the output's shape with its first axis of length {@code rows}
     * (row plans, {@code colStart = 0}) or its first two axes of lengths {@code rows} x {@code cols}
     * (grids), where rows and cols are the block's own lengths.
     *
     * @throws IllegalArgumentException if the block does not fit inside the output at that offset, or its
     *                                  dtype differs, naming the offset and both shapes
     */
    void writeTile(long rowStart, long colStart, Tensor block);

    /** What a sink made by {@link #of} does with each tile. */
    @FunctionalInterface
    interface Writer {
        /** Takes one tile, as {@link TileSink#writeTile} does. */
        void write(long rowStart, long colStart, Tensor block);
    }

    /**
     * A sink of {@code shape} and {@code dtype} handing every tile to {@code writer} (e.g. to gather the tiles
     * into an array of another layout); it holds none and resumes nothing.
     */
    static TileSink of(long[] shape, DType dtype, Writer writer) {
        long[] own = shape.clone();
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(writer, "writer");
        return new TileSink() {
            @Override
            public long[] shape() {
                return own.clone();
            }

            @Override
            public DType dtype() {
                return dtype;
            }

            @Override
            public void writeTile(long rowStart, long colStart, Tensor block) {
                writer.write(rowStart, colStart, block);
            }
        };
    }

    /** Flushes what was written and releases the sink's resources; the default does nothing. */
    @Override
    default void close() {
    }
}
