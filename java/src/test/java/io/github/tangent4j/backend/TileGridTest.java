package io.github.tangent4j.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.cuda.Emu;
import io.github.tangent4j.backend.internal.TiledTranspose;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.tensor.TensorSink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tile engine's grids: the planner covers every cell exactly once (general and symmetric, also from a
 * resumed row), mirrored tiles are exact transposes, out-of-memory resumes at the failed row block with half
 * the block, progress counts cells, interrupts stop it, and sinks' present tiles are skipped.
 */
class TileGridTest {

    /** Counts how often each cell of an n x n2 grid is written by the tiles (and mirrors) of a plan. */
    private static int[][] cover(List<TilePlan.Tile> tiles, int n, int n2) {
        int[][] hits = new int[n][n2];
        for (TilePlan.Tile t : tiles) {
            for (long i = t.i0(); i < t.i1(); i++) {
                for (long j = t.j0(); j < t.j1(); j++) {
                    hits[(int) i][(int) j]++;
                    if (t.mirrored()) {
                        hits[(int) j][(int) i]++;
                    }
                }
            }
        }
        return hits;
    }

    private static void assertOnce(int[][] hits, String what) {
        for (int i = 0; i < hits.length; i++) {
            for (int j = 0; j < hits[i].length; j++) {
                assertEquals(1, hits[i][j], what + ": cell (" + i + ", " + j + ")");
            }
        }
    }

    @Test
    void thePlannerCoversEveryCellExactlyOnce() {
        for (int n : new int[] {1, 2, 7, 16, 23}) {
            for (int block : new int[] {1, 3, 4, 8, 40}) {
                assertOnce(cover(TilePlan.tiles(n, n, block, true, 0), n, n), "symmetric n=" + n + " b=" + block);
                for (int n2 : new int[] {1, 5, 11}) {
                    assertOnce(cover(TilePlan.tiles(n, n2, block, false, 0), n, n2),
                            "general n=" + n + " n2=" + n2 + " b=" + block);
                }
            }
        }
    }

    @Test
    void aResumedPlanWithSmallerBlocksStillCoversEveryCellOnce() {
        int n = 23;
        for (int block : new int[] {4, 8}) {
            for (int resume = block; resume < n; resume += block) {
                List<TilePlan.Tile> tiles = new ArrayList<>();
                for (TilePlan.Tile t : TilePlan.tiles(n, n, block, true, 0)) {
                    if (t.i0() < resume) {
                        tiles.add(t);
                    }
                }
                tiles.addAll(TilePlan.tiles(n, n, block / 2, true, resume));
                assertOnce(cover(tiles, n, n), "symmetric resumed at " + resume + " from blocks of " + block);
            }
        }
    }

    @Test
    void thePlannerRejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> TilePlan.rowBlock(4, 4, 0, false, 0));
        assertThrows(IllegalArgumentException.class, () -> TilePlan.rowBlock(4, 5, 2, true, 0));
        assertThrows(IllegalArgumentException.class, () -> TilePlan.rowBlock(4, 4, 2, false, 4));
    }

    @Test
    void diagonalTilesAreMadeSymmetricFromTheirLowerPart() {
        Tensor m = Tensor.allocate(DType.F32, 45, 45);
        for (long i = 0; i < m.size(); i++) {
            m.setFlat(i, i);
        }
        TiledTranspose.symmetrizeFromLower(m);
        for (int i = 0; i < 45; i++) {
            for (int j = 0; j <= i; j++) {
                assertEquals(i * 45 + j, m.get(i, j));
                assertEquals(i * 45 + j, m.get(j, i));
            }
        }
        Tensor f = Tensor.allocate(DType.F64, 3, 3, 2, 2);
        for (long i = 0; i < f.size(); i++) {
            f.setFlat(i, i);
        }
        Tensor lower = f.copy();
        TiledTranspose.symmetrizeFromLower(f);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                for (int a = 0; a < 2; a++) {
                    for (int b = 0; b < 2; b++) {
                        double want = j <= i ? lower.get(i, j, a, b) : lower.get(j, i, b, a);
                        assertEquals(want, f.get(i, j, a, b));
                    }
                }
            }
        }
    }

    @Test
    void mirrorsAreExactTransposes() {
        for (DType dt : new DType[] {DType.F64, DType.F32}) {
            Tensor m = Tensor.allocate(dt, 37, 70);
            for (long i = 0; i < m.size(); i++) {
                m.setFlat(i, i * 0.5 + 1);
            }
            Tensor t = TiledTranspose.mirror(m);
            assertArrayEquals(new long[] {70, 37}, t.shape());
            for (int i = 0; i < 37; i++) {
                for (int j = 0; j < 70; j++) {
                    assertEquals(m.get(i, j), t.get(j, i));
                }
            }
            Tensor f = Tensor.allocate(dt, 3, 5, 2, 2);
            for (long i = 0; i < f.size(); i++) {
                f.setFlat(i, i + 1);
            }
            Tensor g = TiledTranspose.mirror(f);
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 5; j++) {
                    for (int a = 0; a < 2; a++) {
                        for (int b = 0; b < 2; b++) {
                            assertEquals(f.get(i, j, a, b), g.get(j, i, b, a));
                        }
                    }
                }
            }
        }
    }

    /**
     * A grid task writing value(i, j) = 1000 i + j in every cell it computes (not symmetric, also in the
     * diagonal squares: the engine mirrors their lower parts). Records row blocks and tiles.
     */
    private static TileEngine.GridTask<long[]> values(List<long[]> rowBlocks, List<TilePlan.Tile> tiles,
            long failAtRow) {
        return new TileEngine.GridTask<>() {
            boolean failed;

            @Override
            public long[] rowBlock(TileScope scope, long i0, long i1) {
                rowBlocks.add(new long[] {i0, i1});
                return new long[] {i0, i1};
            }

            @Override
            public List<Tensor> tile(long[] row, TileScope scope, TilePlan.Tile t) {
                scope.allocate(DType.F64, 1, 1); // freed with the tile, also when it fails
                if (!failed && t.i0() == failAtRow && t.j0() > 0) {
                    failed = true;
                    throw new DeviceOutOfMemoryException("injected", 1);
                }
                tiles.add(t);
                Tensor b = Tensor.allocate(DType.F64, t.i1() - t.i0(), t.j1() - t.j0());
                for (long i = t.i0(); i < t.i1(); i++) {
                    for (long j = t.j0(); j < t.j1(); j++) {
                        b.set((double) (1000 * i + j), i - t.i0(), j - t.j0());
                    }
                }
                return List.of(b);
            }
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void symmetricGridsWriteTheLowerPartAndItsExactMirror(String name) {
        TestBackends.with(name, be -> {
            int n = 19;
            Tensor out = Tensor.allocate(DType.F64, n, n);
            List<Long> progress = new ArrayList<>();
            List<TilePlan.Tile> tiles = new ArrayList<>();
            TileEngine.Stats s = TileEngine.of(be, 8).withMaxTileRows(5).withProgress((d, t) -> {
                assertEquals((long) n * n, t);
                progress.add(d);
            }).runGrid(n, n, true, List.of(TensorSink.of(out)), values(new ArrayList<>(), tiles, -1));
            for (int i = 0; i < n; i++) {
                for (int j = 0; j <= i; j++) {
                    assertEquals(1000.0 * i + j, out.get(i, j), "lower (" + i + ", " + j + ")");
                    assertEquals(1000.0 * i + j, out.get(j, i), "mirror (" + j + ", " + i + ")");
                }
            }
            assertEquals(10, s.tiles()); // 4 row blocks of 5: 1 + 2 + 3 + 4 tiles
            assertEquals((long) n * n, progress.get(progress.size() - 1));
            for (int k = 1; k < progress.size(); k++) {
                assertTrue(progress.get(k) > progress.get(k - 1), "progress increases");
            }
            assertEquals(0, be.openAllocations());
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void outOfMemoryResumesAtTheFailedRowBlockWithHalfTheBlock(String name) {
        TestBackends.with(name, be -> {
            int n = 16;
            int n2 = 12;
            Tensor out = Tensor.allocate(DType.F64, n, n2);
            List<long[]> rowBlocks = new ArrayList<>();
            List<TilePlan.Tile> tiles = new ArrayList<>();
            TileEngine.Stats s = TileEngine.of(be, 8).withMaxTileRows(8)
                    .runGrid(n, n2, false, List.of(TensorSink.of(out)), values(rowBlocks, tiles, 8));
            assertEquals(1, s.retries());
            assertEquals(4, s.lastTileRows());
            // [0, 8) completes; [8, 16) fails at its second tile and resumes at row 8 with blocks of 4
            assertArrayEquals(new long[] {0, 8}, rowBlocks.get(0));
            assertArrayEquals(new long[] {8, 16}, rowBlocks.get(1));
            assertArrayEquals(new long[] {8, 12}, rowBlocks.get(2));
            assertArrayEquals(new long[] {12, 16}, rowBlocks.get(3));
            assertEquals(4, rowBlocks.size());
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n2; j++) {
                    assertEquals(1000.0 * i + j, out.get(i, j));
                }
            }
            assertEquals(0, be.openAllocations(), "the failed tile's and row block's memory was freed");
        });
    }

    @Test
    void anInjectedDeviceAllocationFailureResumesTheGrid() {
        TestBackends.requireEmu();
        TestBackends.with("cuda", be -> {
            int n = 12;
            Tensor out = Tensor.allocate(DType.F64, n, n);
            List<TilePlan.Tile> tiles = new ArrayList<>();
            Emu.failAllocAt(1); // the first tile's scratch matrix (nothing cached in the pool yet to retry with)
            TileEngine.Stats s = TileEngine.of(be, 8).withMaxTileRows(4)
                    .runGrid(n, n, true, List.of(TensorSink.of(out)), values(new ArrayList<>(), tiles, -1));
            assertEquals(1, s.retries());
            for (int i = 0; i < n; i++) {
                for (int j = 0; j <= i; j++) {
                    assertEquals(1000.0 * i + j, out.get(i, j));
                    assertEquals(out.get(i, j), out.get(j, i));
                }
            }
        });
    }

    @Test
    void presentTilesAreSkippedAndInterruptsStop() {
        TestBackends.with("java", be -> {
            Tensor out = Tensor.allocate(DType.F64, 8, 8);
            TensorSink inner = TensorSink.of(out);
            io.github.tangent4j.tensor.TileSink holdsFirstRowBlock = new io.github.tangent4j.tensor.TileSink() {
                @Override
                public long[] shape() {
                    return inner.shape();
                }

                @Override
                public DType dtype() {
                    return inner.dtype();
                }

                @Override
                public boolean hasTile(long rowStart, long rows, long colStart, long cols) {
                    return rowStart < 4;
                }

                @Override
                public void writeTile(long rowStart, long colStart, Tensor block) {
                    inner.writeTile(rowStart, colStart, block);
                }
            };
            List<TilePlan.Tile> tiles = new ArrayList<>();
            TileEngine.of(be, 8).withMaxTileRows(4).runGrid(8, 8, false, List.of(holdsFirstRowBlock),
                    values(new ArrayList<>(), tiles, -1));
            assertEquals(2, tiles.size());
            assertTrue(tiles.stream().allMatch(t -> t.i0() == 4));
            Thread.currentThread().interrupt();
            try {
                assertThrows(CancellationException.class, () -> TileEngine.of(be, 8).runGrid(8, 8, true,
                        List.of(TensorSink.of(out)), values(new ArrayList<>(), new ArrayList<>(), -1)));
            } finally {
                Thread.interrupted();
            }
        });
    }
}
