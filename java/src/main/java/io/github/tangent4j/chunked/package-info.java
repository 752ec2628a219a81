/**
 * Outputs computed as a grid of chunks into a Zarr v2 store, resumable, by one machine or by many: a
 * {@link io.github.tangent4j.chunked.ChunkedComputation} says what one block of the output is (a pure
 * function of the inputs and the block), a {@link io.github.tangent4j.chunked.ChunkPlan} lists the chunks
 * to compute (for symmetric kernels, those on and below the diagonal, each writing its mirror too), and
 * {@link io.github.tangent4j.chunked.ChunkJob#computeTask} computes and writes one of them. The command
 * line runs the tasks one after another ({@link io.github.tangent4j.chunked.ChunkJob#run}); the
 * {@code tangent4j-spark} module runs the same tasks as Spark tasks, so both write the same bytes.
 */
package io.github.tangent4j.chunked;
