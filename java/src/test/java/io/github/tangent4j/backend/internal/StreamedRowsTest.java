package io.github.tangent4j.backend.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link StreamedRows} on every backend: pieces, prefetch order, results, and cleanup after failures. */
class StreamedRowsTest {
    private static Tensor random(long rows, long cols) {
        return Tensor.of(TestBackends.random(new SplittableRandom(rows), DType.F64, rows * cols), rows, cols);
    }

    /** |x| into a new matrix: a computation whose result differs from its input. */
    private static StreamedRows.Compute abs(Backend b) {
        return x -> {
            DeviceMatrix out = b.allocateUninitialised(x.dtype(), x.rows(), x.cols());
            b.activate(Activation.ABS, x, out);
            return out;
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void everyPieceIsComputedOnceInOrderWithTheNextUploadedAhead(String name) {
        Tensor x = random(23, 5);
        TestBackends.with(name, b -> {
            for (long pieces : new long[] {1, 2, 7, 15}) {
                Tensor y = Tensor.allocate(DType.F64, 23, 5);
                List<long[]> seen = new ArrayList<>();
                StreamedRows.run(b, x, 4, 19, pieces, abs(b), (r, from, to) -> {
                    // the piece's input and result, and the next piece's input where uploads overlap computation
                    boolean next = to < 19 && b.overlapsTransfers();
                    assertEquals(next ? 3 : 2, b.openAllocations(), "open matrices at rows " + from);
                    b.download(r, y.slice(from, to));
                    seen.add(new long[] {from, to});
                });
                assertEquals(pieces, seen.size());
                long next = 4;
                for (long[] piece : seen) {
                    assertEquals(next, piece[0], "pieces are consecutive");
                    next = piece[1];
                }
                assertEquals(19, next);
                for (long i = 0; i < 23; i++) {
                    for (long j = 0; j < 5; j++) {
                        assertEquals(i >= 4 && i < 19 ? Math.abs(x.get(i, j)) : 0, y.get(i, j), "(" + i + ", " + j + ")");
                    }
                }
                assertEquals(0, b.openAllocations());
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void aFailingComputeOrCollectLeavesNothingOpen(String name) {
        Tensor x = random(30, 3);
        TestBackends.with(name, b -> {
            IllegalStateException boom = new IllegalStateException("boom");
            int[] calls = {0};
            assertSame(boom, assertThrows(IllegalStateException.class, () -> StreamedRows.run(b, x, 0, 30, 5, in -> {
                if (++calls[0] == 3) {
                    throw boom;
                }
                return abs(b).enqueue(in);
            }, (r, from, to) -> { })));
            assertEquals(0, b.openAllocations(), "after a failing compute");
            assertSame(boom, assertThrows(IllegalStateException.class,
                    () -> StreamedRows.run(b, x, 0, 30, 5, abs(b), (r, from, to) -> {
                        if (from > 0) {
                            throw boom;
                        }
                    })));
            assertEquals(0, b.openAllocations(), "after a failing collect");
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void splitsOnlyWhereTransfersOverlapAndPiecesAreWorthIt(String name) {
        TestBackends.with(name, b -> {
            boolean overlaps = name.equals("cuda");
            assertEquals(overlaps, b.overlapsTransfers());
            long min = StreamedRows.MIN_PIECE_BYTES;
            assertEquals(1, StreamedRows.pieces(b, 1000, min / 1000 - 1), "under one piece's worth");
            assertEquals(overlaps ? 2 : 1, StreamedRows.pieces(b, 1000, 2 * min / 1000 + 1));
            assertEquals(overlaps ? StreamedRows.PIECES : 1, StreamedRows.pieces(b, 1 << 20, 1 << 20));
            assertEquals(overlaps ? 3 : 1, StreamedRows.pieces(b, 3, 1L << 30), "never more pieces than rows");
            assertThrows(IllegalArgumentException.class,
                    () -> StreamedRows.run(b, random(4, 2), 3, 5, abs(b), (r, from, to) -> { }));
        });
    }
}
