package io.github.tangent4j.kernels;

import io.github.tangent4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/** Copies kernel tiles from the GEMM layouts into the output arrays (and their mirror images). */
final class TileLayout {
    private TileLayout() {
    }

    /** A (|I| x |J|) tile into rows [i0, i1), columns [j0, j1) of out (N, N2); with mirror also its transpose. */
    static void trace(Tensor tile, Tensor out, long i0, long i1, long j0, long j1, boolean mirror) {
        long es = out.dtype().byteSize();
        long cols = out.dim(1);
        long w = j1 - j0;
        MemorySegment src = tile.segment();
        MemorySegment dst = out.segment();
        for (long i = 0; i < i1 - i0; i++) {
            MemorySegment.copy(src, i * w * es, dst, ((i0 + i) * cols + j0) * es, w * es);
        }
        if (mirror) {
            for (long i = 0; i < i1 - i0; i++) {
                for (long j = 0; j < w; j++) {
                    MemorySegment.copy(src, (i * w + j) * es, dst, ((j0 + j) * cols + i0 + i) * es, es);
                }
            }
        }
    }

    /**
     * A (|I|*O x |J|*O) tile with rows (i, o) and columns (j, o') into out (N, N2, O, O) at [i0 + i, j0 + j,
     * o, o'] — runs of O along o' are contiguous in both; with mirror also out[j0 + j, i0 + i, o', o].
     */
    static void full(Tensor tile, Tensor out, long i0, long i1, long j0, long j1, long o, boolean mirror) {
        long es = out.dtype().byteSize();
        long n2 = out.dim(1);
        long w = j1 - j0;
        MemorySegment src = tile.segment();
        MemorySegment dst = out.segment();
        for (long i = 0; i < i1 - i0; i++) {
            for (long a = 0; a < o; a++) {
                long srcRow = (i * o + a) * w * o;
                for (long j = 0; j < w; j++) {
                    MemorySegment.copy(src, (srcRow + j * o) * es, dst, ((((i0 + i) * n2 + j0 + j) * o + a) * o) * es,
                            o * es);
                    if (mirror) {
                        for (long b = 0; b < o; b++) {
                            MemorySegment.copy(src, (srcRow + j * o + b) * es, dst,
                                    ((((j0 + j) * n2 + i0 + i) * o + b) * o + a) * es, es);
                        }
                    }
                }
            }
        }
    }
}
