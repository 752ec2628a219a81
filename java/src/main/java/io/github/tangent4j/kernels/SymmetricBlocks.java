package io.github.tangent4j.kernels;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.TileEngine;
import io.github.tangent4j.backend.internal.TiledTranspose;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Finite;
import io.github.tangent4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.stream.IntStream;

/**
 * A symmetric kernel matrix K(X, X) of n x n from the blocks on and below its diagonal: row block
 * {@code [r0, r1)} is computed for columns {@code [0, r1)} only, downloaded into one reused host block, and
 * placed twice: its part on and below the diagonal as it is, and that part transposed above the diagonal
 * (columns r0 ... r1 - 1 of rows 0 ... r1 - 2; the block's own square is mirrored too, so the result is
 * exactly symmetric even where the recursion's rounding is not). Every element of the result is written
 * once.
 *
 * <p>With blocks of about n / 8 rows that is 56% of the full matrix's GEMM and recursion work and of its
 * transfer from the device. Narrower blocks save more work on paper and lose it in GEMM efficiency: on the
 * Java backend the 4096 x 4096 x 784 lower triangle ran at 75 GFLOP/s F32 and 42 F64 in blocks of n / 16,
 * at 82 and 52 in blocks of n / 8, the full GEMM at 98 and 59 (a diagnostic timing, bench/RESULTS.md).
 *
 * <p>Used by one thread; the placement itself runs in parallel on the common pool.
 */
final class SymmetricBlocks {
    /** Columns per parallel task of the transposing copy ({@link TiledTranspose}'s tile width). */
    private static final int TILE = 32;

    private final long rows;
    private final long n;
    private final Tensor scratch;
    private final long elementBytes;

    /**
     * Blocks for row tiles of up to {@code tileRows} rows of an n x n kernel of {@code dtype}: about n / 8
     * rows, fewer where the host block buffer would exceed {@link TileEngine#EFFICIENT_TILE_BYTES}.
     */
    SymmetricBlocks(DType dtype, long tileRows, long n) {
        this.n = n;
        long eighth = Math.max(8, ((n + 7) / 8 + 7) / 8 * 8);
        long bounded = Math.max(1, TileEngine.EFFICIENT_TILE_BYTES / (n * dtype.byteSize()));
        this.rows = Math.min(tileRows, Math.min(eighth, bounded));
        this.scratch = Tensor.allocateUninitialised(dtype, rows * n);
        this.elementBytes = dtype.byteSize();
    }

    /** Rows per block. */
    long rows() {
        return rows;
    }

    /**
     * Downloads block {@code m} (rows r0 ... r0 + m.rows() - 1 of the kernel, columns 0 ... m.cols() - 1, with
     * {@code m.cols() = r0 + m.rows()}) and writes it and its transpose into {@code out} (n x n).
     */
    void place(Backend backend, DeviceMatrix m, Tensor out, long r0) {
        long height = m.rows();
        long width = m.cols();
        Tensor block = scratch.slice(0, height * width).reshape(height, width);
        backend.download(m, block);
        Finite.checkTile(block, r0, 0);
        MemorySegment src = block.segment();
        MemorySegment dst = out.segment();
        long es = elementBytes;
        int rowChunks = (int) Math.min(height, 64);
        int columnTiles = (int) ((width + TILE - 1) / TILE);
        IntStream.range(0, rowChunks + columnTiles).parallel().forEach(task -> {
            if (task < rowChunks) {
                // the lower triangle with the diagonal: row r0 + i up to column r0 + i
                for (long i = height * task / rowChunks; i < height * (task + 1) / rowChunks; i++) {
                    MemorySegment.copy(src, i * width * es, dst, ((r0 + i) * n) * es, (r0 + i + 1) * es);
                }
            } else {
                // the strict upper triangle: dst[j][r0 + i] = src[i][j] for r0 + i > j
                long j0 = (long) (task - rowChunks) * TILE;
                TiledTranspose.transpose(src, width, height, j0, Math.min(width, j0 + TILE), dst, n, r0, es, true);
            }
        });
    }
}
