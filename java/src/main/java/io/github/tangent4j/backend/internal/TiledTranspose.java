package io.github.tangent4j.backend.internal;

import io.github.tangent4j.backend.TileEngine;
import io.github.tangent4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The one mirror of symmetric outputs: transposes through square tiles of 32 x 32 elements, which stay in
 * L1 on both sides, copied in and out in bulk. Used by the {@link TileEngine}'s symmetric plans and by the
 * analytic kernels' symmetric blocks.
 */
public final class TiledTranspose {
    /** Square tiles of the transposing copy. */
    private static final int TILE = 32;

    private TiledTranspose() {
    }

    /**
     * {@code dst[(j0 + jj) * dstCols + c0 + ii] = src[ii * srcCols + j0 + jj]} for ii in {@code [0, height)}
     * and jj in {@code [0, j1 - j0)} where {@code keep(ii, j0 + jj)} holds, i.e. columns j0 ... j1 - 1 of a
     * row-major (height, srcCols) source written as rows of a row-major destination with {@code dstCols}
     * columns, starting at its column c0. Elements of {@code elementBytes} = 4 or 8 bytes.
     *
     * @param strictUpper only the elements with {@code c0 + ii > j} (the strict upper triangle of a symmetric
     *                    matrix whose rows c0 ... c0 + height - 1 the source holds up to the diagonal);
     *                    otherwise every element
     */
    public static void transpose(MemorySegment src, long srcCols, long height, long j0, long j1, MemorySegment dst,
            long dstCols, long c0, long elementBytes, boolean strictUpper) {
        boolean wide = elementBytes == 8;
        ValueLayout layout = wide ? ValueLayout.JAVA_LONG : ValueLayout.JAVA_INT;
        long[] wideTile = wide ? new long[TILE * TILE] : null;
        int[] narrowTile = wide ? null : new int[TILE * TILE];
        Object tile = wide ? wideTile : narrowTile;
        for (long t0 = j0; t0 < j1; t0 += TILE) {
            int tw = (int) Math.min(TILE, j1 - t0);
            for (long i0 = 0; i0 < height; i0 += TILE) {
                int th = (int) Math.min(TILE, height - i0);
                if (strictUpper && c0 + i0 + th - 1 <= t0) {
                    continue; // every element of this tile is on or below the diagonal
                }
                for (int ii = 0; ii < th; ii++) {
                    MemorySegment.copy(src, layout, ((i0 + ii) * srcCols + t0) * elementBytes, tile, ii * TILE, tw);
                }
                // transpose in place: element (ii, jj) to (jj, ii)
                for (int ii = 0; ii < TILE; ii++) {
                    for (int jj = ii + 1; jj < TILE; jj++) {
                        int p = ii * TILE + jj;
                        int q = jj * TILE + ii;
                        if (wide) {
                            long t = wideTile[p];
                            wideTile[p] = wideTile[q];
                            wideTile[q] = t;
                        } else {
                            int t = narrowTile[p];
                            narrowTile[p] = narrowTile[q];
                            narrowTile[q] = t;
                        }
                    }
                }
                for (int jj = 0; jj < tw; jj++) {
                    long j = t0 + jj;
                    int start = strictUpper ? (int) Math.max(0, Math.min(th, j - c0 - i0 + 1)) : 0;
                    if (start < th) {
                        MemorySegment.copy(tile, jj * TILE + start, dst, layout,
                                (j * dstCols + c0 + i0 + start) * elementBytes, th - start);
                    }
                }
            }
        }
    }

    /**
     * The mirror image of a tile: for a block of shape (R, C) the transposed (C, R); for (R, C, O, O), as an
     * output of per-pair O x O blocks is, (C, R, O, O) with each O x O block transposed too
     * ({@code mirror[j, i, b, a] = block[i, j, a, b]}).
     *
     * @throws IllegalArgumentException for another rank, or trailing axes that are not square
     */
    public static Tensor mirror(Tensor block) {
        long[] s = block.shape();
        if (s.length != 2 && !(s.length == 4 && s[2] == s[3])) {
            throw new IllegalArgumentException("block: expected shape (R, C) or (R, C, O, O) but was "
                    + Arrays.toString(s));
        }
        long rows = s[0];
        long cols = s[1];
        long[] t = s.clone();
        t[0] = cols;
        t[1] = rows;
        Tensor out = Tensor.allocateUninitialised(block.dtype(), t);
        long es = block.dtype().byteSize();
        if (s.length == 2) {
            transpose(block.segment(), cols, rows, 0, cols, out.segment(), rows, 0, es, false);
            return out;
        }
        long o = s[2];
        long chunk = o * o;
        MemorySegment src = block.segment();
        MemorySegment dst = out.segment();
        for (long i = 0; i < rows; i++) {
            for (long j = 0; j < cols; j++) {
                long from = (i * cols + j) * chunk;
                long to = (j * rows + i) * chunk;
                for (long a = 0; a < o; a++) {
                    for (long b = 0; b < o; b++) {
                        MemorySegment.copy(src, (from + a * o + b) * es, dst, (to + b * o + a) * es, es);
                    }
                }
            }
        }
        return out;
    }

    /**
     * Makes a diagonal tile of a symmetric output exactly symmetric, in place: its strict upper part becomes
     * the mirror image of its lower part ({@code block[i, j] = block[j, i]} for i < j; for (R, R, O, O) blocks
     * {@code block[i, j, a, b] = block[j, i, b, a]}), so it agrees with what the mirrored tiles beside it
     * hold even where the computation's rounding is not symmetric.
     *
     * @throws IllegalArgumentException unless the block is (R, R) or (R, R, O, O)
     */
    public static void symmetrizeFromLower(Tensor block) {
        long[] s = block.shape();
        if (!(s.length == 2 || (s.length == 4 && s[2] == s[3])) || s[0] != s[1]) {
            throw new IllegalArgumentException("block: expected shape (R, R) or (R, R, O, O) but was "
                    + Arrays.toString(s));
        }
        long r = s[0];
        long es = block.dtype().byteSize();
        MemorySegment m = block.segment();
        if (s.length == 2) {
            transpose(m, r, r, 0, r, m, r, 0, es, true);
            return;
        }
        long o = s[2];
        long chunk = o * o;
        for (long i = 0; i < r; i++) {
            for (long j = i + 1; j < r; j++) {
                long upper = (i * r + j) * chunk;
                long lower = (j * r + i) * chunk;
                for (long a = 0; a < o; a++) {
                    for (long b = 0; b < o; b++) {
                        MemorySegment.copy(m, (lower + b * o + a) * es, m, (upper + a * o + b) * es, es);
                    }
                }
            }
        }
    }
}
