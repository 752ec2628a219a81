package io.github.tangent4j.chunked;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.io.Serializable;

/**
 * What a chunked output holds, one block at a time: a pure function of the inputs and the block, so a
 * block computed twice, here or on another machine, has the same bytes. Tiling covers the first axis
 * (row plans: per-example outputs) or the first two (grids: kernels between x and x2); the other axes
 * are whole. Implementations are small serialisable descriptions (no data): Spark ships them to its
 * executors.
 */
public interface ChunkedComputation extends Serializable {

    /** The command-line subcommand that computes this output (recorded in the store's attributes). */
    String subcommand();

    /** The output's element type. */
    DType dtype(ChunkInputs in);

    /** The output's whole shape. */
    long[] shape(ChunkInputs in);

    /** True when tiles cover rows and columns (a kernel between x and x2), false for row blocks. */
    boolean grid();

    /**
     * Output rows (and columns) per input point; chunk edges must fall on its multiples (1 + D for the
     * Jacobian kernels, whose rows per point are [f, df/dx_1 ... df/dx_D]).
     */
    default long unit(ChunkInputs in) {
        return 1;
    }

    /** How a tile mirrors when the kernel is symmetric (x2 absent); {@link Mirror#NONE} for row plans. */
    default Mirror mirror() {
        return Mirror.NONE;
    }

    /**
     * The output's block of rows {@code [rowStart, rowEnd)} and (grids) columns {@code [colStart, colEnd)},
     * with every other axis whole; row plans get the whole second axis (or 0, 1 for one-dimensional outputs).
     * Bounds are multiples of {@link #unit} or the output's edge.
     */
    Tensor block(Backend backend, ChunkInputs in, long rowStart, long rowEnd, long colStart, long colEnd);
}
