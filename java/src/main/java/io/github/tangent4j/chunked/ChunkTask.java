package io.github.tangent4j.chunked;

import java.io.Serializable;

/**
 * One unit of work: the tile of chunk ({@code row}, {@code col}), which also writes chunk ({@code col},
 * {@code row}) when the plan mirrors and the two differ.
 *
 * @param row chunk index on axis 0
 * @param col chunk index on axis 1 (0 for row plans)
 */
public record ChunkTask(long row, long col) implements Serializable {
}
