package io.github.tangent4j.cli;

import io.github.tangent4j.chunked.ChunkInputs;
import io.github.tangent4j.chunked.RowChunks;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.Tensor;
import picocli.CommandLine.Mixin;

/**
 * A {@link ModelCommand} whose output also has a chunked form computed block of rows by block of rows
 * ({@code forward}, {@code patterns}, {@code jacobian}): the chunk options ({@link ChunkOptions}) and the
 * write of a Zarr store through {@link RowChunks} live here; a subcommand names its row-chunked output.
 */
abstract class RowChunkedCommand extends ModelCommand {
    @Mixin
    ChunkOptions chunks;

    /** The output as row chunks: which array, and the sweep of an input Jacobian. */
    abstract RowChunks rowChunks();

    @Override
    final boolean writeStore(Mlp mlp, Tensor x) throws Exception {
        return chunks.writeStore(common, rowChunks(), new ChunkInputs(mlp, x, null));
    }
}
