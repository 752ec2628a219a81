package io.github.tangent4j.chunked;

/** How the tile of a symmetric kernel (x2 = x) at block (i, j) gives the tile at (j, i). */
public enum Mirror {
    /** Not symmetric: every chunk is computed. */
    NONE,
    /** K(x', x) = K(x, x'): the mirrored tile is the transpose over the first two axes. */
    TRANSPOSE,
    /** K(x', x)_{qp} = K(x, x')_{pq} (an (N, N, O, O) kernel): also the last two axes swapped. */
    TRANSPOSE_OUTPUTS
}
