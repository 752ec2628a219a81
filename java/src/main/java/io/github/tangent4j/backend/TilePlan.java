package io.github.tangent4j.backend;

import java.util.ArrayList;
import java.util.List;

/**
 * The tiles of a grid over an output of N x N2 cells (the first two axes), in square blocks of
 * {@code block} rows and columns, row block by row block. A general plan visits every tile; a symmetric plan
 * (N = N2, the output equal to its transpose) visits the tiles on and below the diagonal, and every tile
 * below it also fills its mirror image above. Either way each cell is written exactly once. Pure: the same
 * arguments give the same tiles.
 */
public final class TilePlan {
    private TilePlan() {
    }

    /**
     * One tile: rows {@code [i0, i1)} and columns {@code [j0, j1)}; with {@code mirrored}, also its transpose
     * at rows {@code [j0, j1)}, columns {@code [i0, i1)}.
     *
     * @param i0       first row
     * @param i1       end row (exclusive)
     * @param j0       first column
     * @param j1       end column (exclusive)
     * @param mirrored whether the tile's transpose is written too (symmetric plans, below the diagonal)
     */
    public record Tile(long i0, long i1, long j0, long j1, boolean mirrored) {
        /** The cells this tile fills: its own and, when mirrored, as many again. */
        public long cells() {
            long own = (i1 - i0) * (j1 - j0);
            return mirrored ? 2 * own : own;
        }

        /** Whether the tile's rows and columns are the same block (a square on the diagonal). */
        public boolean onDiagonal() {
            return i0 == j0 && i1 == j1;
        }
    }

    /**
     * The tiles of row block {@code [i0, min(n, i0 + block))}: columns {@code [0, n2)} in blocks of
     * {@code block}; in a symmetric plan only up to and including the diagonal block, those left of it
     * mirrored. A symmetric plan needs {@code n == n2}.
     *
     * @throws IllegalArgumentException for {@code block < 1}, i0 outside {@code [0, n)}, or a symmetric plan
     *                                  with {@code n != n2}
     */
    public static List<Tile> rowBlock(long n, long n2, long block, boolean symmetric, long i0) {
        if (block < 1) {
            throw new IllegalArgumentException("block: expected >= 1 but was " + block);
        }
        if (i0 < 0 || i0 >= n) {
            throw new IllegalArgumentException("i0: expected a row in [0, " + n + ") but was " + i0);
        }
        if (symmetric && n != n2) {
            throw new IllegalArgumentException("n2: a symmetric plan is square, expected " + n + " but was " + n2);
        }
        long i1 = Math.min(n, i0 + block);
        List<Tile> tiles = new ArrayList<>();
        // symmetric: the column blocks left of the diagonal use the same boundaries as the rows, so the
        // diagonal tile is square even after a resumed plan changed the block height
        long columnEnd = symmetric ? i0 : n2;
        for (long j0 = 0; j0 < columnEnd; j0 += block) {
            tiles.add(new Tile(i0, i1, j0, Math.min(columnEnd, j0 + block), symmetric));
        }
        if (symmetric) {
            tiles.add(new Tile(i0, i1, i0, i1, false));
        }
        return tiles;
    }

    /** Every tile of the plan from row {@code start} on, row block by row block (see {@link #rowBlock}). */
    public static List<Tile> tiles(long n, long n2, long block, boolean symmetric, long start) {
        List<Tile> all = new ArrayList<>();
        for (long i0 = start; i0 < n; i0 += block) {
            all.addAll(rowBlock(n, n2, block, symmetric, i0));
        }
        return all;
    }
}
