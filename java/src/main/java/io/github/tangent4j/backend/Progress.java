package io.github.tangent4j.backend;

/**
 * Told how far a tiled computation has come, in one unit for every family: <b>cells of the plan</b>. A row
 * plan over N rows has N cells (one per output row); a grid over N x N2 has N * N2 cells (one per pair of a
 * row and a column of the output's first two axes; a mirrored tile of a symmetric plan counts for the cells
 * it fills). {@code done} never decreases and ends at {@code total}.
 */
@FunctionalInterface
public interface Progress {
    /** {@code done} of {@code total} cells are finished (called on the computing thread, after each tile). */
    void onProgress(long done, long total);
}
