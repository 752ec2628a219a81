package io.github.tangent4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.cuda.Emu;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link TileEngine} on every backend: tiles cover every row once, OOM halves the tile, interrupts stop it. */
class TileEngineTest {
    private static final int K = 16;
    private static final int N = 64;

    /** Computes rows [from, to) of A B into out through the tile's scope. */
    private static TileEngine.RowTask product(Tensor a, DeviceMatrix b, Tensor out, List<long[]> tiles) {
        return (scope, from, to) -> {
            Backend be = scope.backend();
            DeviceMatrix at = scope.track(be.upload(a.slice(from, to)));
            DeviceMatrix ct = scope.allocateUninitialised(DType.F64, to - from, N); // the GEMM writes every element
            be.gemm(false, false, 1, at, b, 0, ct);
            be.download(ct, out.slice(from, to));
            tiles.add(new long[] {from, to});
        };
    }

    private static void assertProduct(Tensor a, Tensor b, Tensor out) {
        long rows = a.dim(0);
        for (long i = 0; i < rows; i++) {
            for (int j = 0; j < N; j++) {
                double s = 0;
                for (int p = 0; p < K; p++) {
                    s += a.get(i, p) * b.get(p, j);
                }
                assertEquals(s, out.get(i, j), 1e-12 * K, "row " + i + " col " + j);
            }
        }
    }

    private static void assertContiguousCover(List<long[]> tiles, long total) {
        long next = 0;
        for (long[] t : tiles) {
            assertEquals(next, t[0], "tiles are consecutive");
            assertTrue(t[1] > t[0]);
            next = t[1];
        }
        assertEquals(total, next, "tiles cover every row");
    }

    private static Tensor random(long rows, long cols, int seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Tensor t = Tensor.allocate(DType.F64, rows, cols);
        for (long i = 0; i < t.size(); i++) {
            t.setFlat(i, rnd.nextDouble(-1, 1));
        }
        return t;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void tilesByMaxRowsWithProgress(String name) {
        TestBackends.with(name, be -> {
            Tensor a = random(103, K, 1);
            Tensor bh = random(K, N, 2);
            Tensor out = Tensor.allocate(DType.F64, 103, N);
            List<long[]> tiles = new ArrayList<>();
            List<Long> progress = new ArrayList<>();
            try (DeviceMatrix b = be.upload(bh)) {
                TileEngine.Stats s = TileEngine.of(be, N * 8L).withMaxTileRows(10)
                        .withProgress((done, total) -> {
                            assertEquals(103, total);
                            progress.add(done);
                        })
                        .run(103, product(a, b, out, tiles));
                assertEquals(11, s.tiles());
                assertEquals(0, s.retries());
            }
            assertContiguousCover(tiles, 103);
            assertEquals(List.of(10L, 20L, 30L, 40L, 50L, 60L, 70L, 80L, 90L, 100L, 103L), progress);
            assertProduct(a, bh, out);
            assertEquals(0, be.openAllocations(), "tile scopes closed their matrices");
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void outOfMemoryHalvesTheTileAndClosesWhatTheTileAllocated(String name) {
        TestBackends.with(name, be -> {
            Tensor a = random(50, K, 3);
            Tensor bh = random(K, N, 4);
            Tensor out = Tensor.allocate(DType.F64, 50, N);
            List<long[]> tiles = new ArrayList<>();
            TileEngine.RowTask inner;
            try (DeviceMatrix b = be.upload(bh)) {
                inner = product(a, b, out, tiles);
                TileEngine.RowTask task = (scope, from, to) -> {
                    scope.allocate(DType.F64, to - from, N); // allocated before failing: must be closed
                    if (to - from > 7) {
                        throw new DeviceOutOfMemoryException("simulated: " + (to - from) + " rows", 0);
                    }
                    inner.run(scope, from, to);
                };
                TileEngine.Stats s = TileEngine.of(be, N * 8L).withMaxTileRows(50).run(50, task);
                // 50 -> 25 -> 12 -> 6 rows, then 6 rows per tile
                assertEquals(3, s.retries());
                assertEquals(6, s.lastTileRows());
                assertEquals(1, be.openAllocations(), "only b is open");
            }
            assertContiguousCover(tiles, 50);
            assertProduct(a, bh, out);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void rethrowsWhenOneRowDoesNotFit(String name) {
        TestBackends.with(name, be -> {
            List<Long> attempts = new ArrayList<>();
            DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class,
                    () -> TileEngine.of(be, 8).withMaxTileRows(8).run(20, (scope, from, to) -> {
                        attempts.add(to - from);
                        scope.allocate(DType.F32, 1, 1);
                        throw new DeviceOutOfMemoryException("never fits", 4);
                    }));
            assertEquals("never fits", e.getMessage());
            assertEquals(List.of(8L, 4L, 2L, 1L), attempts);
            assertEquals(0, be.openAllocations());
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void interruptionStopsAtTheNextTile(String name) {
        TestBackends.with(name, be -> {
            List<long[]> tiles = new ArrayList<>();
            try {
                CancellationException e = assertThrows(CancellationException.class,
                        () -> TileEngine.of(be, 8).withMaxTileRows(5).run(40, (scope, from, to) -> {
                            scope.allocate(DType.F64, to - from, 1);
                            tiles.add(new long[] {from, to});
                            if (to == 15) {
                                Thread.currentThread().interrupt();
                            }
                        }));
                assertEquals("interrupted after 15 of 40 rows", e.getMessage());
                assertTrue(Thread.currentThread().isInterrupted(), "the interrupt flag stays set");
            } finally {
                Thread.interrupted();
            }
            assertEquals(3, tiles.size());
            assertEquals(0, be.openAllocations());
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void initialTileFitsTheAvailableMemory(String name) {
        TestBackends.with(name, be -> {
            long free = be.availableMemory();
            long perRow = Math.max(1, free / 1000);
            long rows = TileEngine.of(be, perRow).withMemoryFraction(0.5).initialTileRows(1_000_000);
            assertTrue(rows >= 400 && rows <= 600, "about half of 1000 rows fit, got " + rows);
            assertEquals(7, TileEngine.of(be, perRow).initialTileRows(7));
            assertEquals(1, TileEngine.of(be, Long.MAX_VALUE).initialTileRows(7), "at least one row");
            assertEquals(64, TileEngine.of(be, Long.MAX_VALUE).withMinTileRows(64).initialTileRows(1000), "the floor");
            assertEquals(7, TileEngine.of(be, Long.MAX_VALUE).withMinTileRows(64).initialTileRows(7), "no more than all");
            assertEquals(10, TileEngine.of(be, Long.MAX_VALUE).withMinTileRows(64).withMaxTileRows(10)
                    .initialTileRows(1000), "the maximum wins");
            assertTrue(TileEngine.of(be, perRow).withMinTileRows(64).initialTileRows(1_000_000) >= 400,
                    "a floor below what fits changes nothing");
            assertThrows(IllegalArgumentException.class, () -> TileEngine.of(be, 8).withMinTileRows(0));
        });
    }

    @Test
    void aFloorThatCoversEveryRowDoesNotAskForFreeMemory() {
        try (Backend real = Backends.create("java")) {
            int[] asked = {0};
            Backend counting = (Backend) java.lang.reflect.Proxy.newProxyInstance(Backend.class.getClassLoader(),
                    new Class<?>[] {Backend.class}, (proxy, method, args) -> {
                        if (method.getName().equals("availableMemory")) {
                            asked[0]++;
                        }
                        return method.invoke(real, args);
                    });
            assertEquals(256, TileEngine.of(counting, Long.MAX_VALUE).withMinTileRows(1024).initialTileRows(256));
            assertEquals(10, TileEngine.of(counting, 8).withMinTileRows(64).withMaxTileRows(10).initialTileRows(1000));
            assertEquals(0, asked[0], "the floor alone decides");
            long free = real.availableMemory();
            long perRow = Math.max(1, free / 1000);
            long rows = TileEngine.of(counting, perRow).withMemoryFraction(0.5).withMinTileRows(64)
                    .initialTileRows(1_000_000);
            assertTrue(rows >= 400 && rows <= 600, "about half of 1000 rows fit, got " + rows);
            assertEquals(1, asked[0], "a floor below the rows asks");
        }
    }

    // ------------------------------------------------- real device memory exhaustion on the CUDA emulation

    @Test
    void cudaBudgetSmallerThanTheEstimateIsTiledNotKilled() {
        TestBackends.requireEmu();
        TestBackends.with("cuda", be -> {
            Emu.setMemoryBudget(256 << 10); // 256 KiB of "device memory"
            Tensor a = random(1000, K, 5);
            Tensor bh = random(K, N, 6);
            Tensor out = Tensor.allocate(DType.F64, 1000, N);
            List<long[]> tiles = new ArrayList<>();
            try (DeviceMatrix b = be.upload(bh)) {
                // the caller underestimates: 8 bytes per row, though a row needs (K + N) * 8 = 640
                TileEngine.Stats s = TileEngine.of(be, 8).run(1000, product(a, b, out, tiles));
                assertTrue(s.retries() >= 1, "ran out of memory at least once: " + s);
                assertTrue(s.lastTileRows() * (K + N) * 8L <= 256 << 10, "the tile fits the budget: " + s);
            }
            assertContiguousCover(tiles, 1000);
            assertProduct(a, bh, out);
            assertEquals(0, be.openAllocations());
        });
    }

    @Test
    void cudaInjectedAllocationFailureIsRetried() {
        TestBackends.requireEmu();
        TestBackends.with("cuda", be -> {
            Tensor a = random(40, K, 7);
            Tensor bh = random(K, N, 8);
            Tensor out = Tensor.allocate(DType.F64, 40, N);
            List<long[]> tiles = new ArrayList<>();
            try (DeviceMatrix b = be.upload(bh)) {
                int live = Emu.liveAllocations();
                Emu.failAllocAt(2); // the first tile's output matrix
                TileEngine.Stats s = TileEngine.of(be, N * 8L).withMaxTileRows(40).run(40, product(a, b, out, tiles));
                assertEquals(1, s.retries());
                assertEquals(2, s.tiles());
                assertEquals(live, Emu.liveAllocations(), "the failed tile's upload was freed");
            }
            assertContiguousCover(tiles, 40);
            assertProduct(a, bh, out);
        });
    }

    /**
     * {@link TileEngine#runInto}: a tensor sink is filled in place, other sinks get one block per tile at
     * {@code from * rowsPerStep}, and tiles a sink already holds are skipped (a resumed run).
     */
    @Test
    void runIntoWritesEachTileOnceAndSkipsTheTilesASinkHolds() {
        TestBackends.with("java", b -> {
            Tensor direct = Tensor.allocate(DType.F64, 12, 2);
            TileEngine engine = TileEngine.of(b, 8).withMaxTileRows(2);
            engine.runInto(io.github.tangent4j.tensor.TensorSink.of(direct), 3, (scope, from, to, block) -> {
                assertEquals((to - from) * 3, block.dim(0));
                for (long r = 0; r < block.dim(0); r++) {
                    block.set(100 * from + r, r, 0);
                }
            });
            assertEquals(201, direct.get(7, 0), "step 2 owns rows 6..8");
            List<long[]> written = new ArrayList<>();
            List<long[]> computed = new ArrayList<>();
            io.github.tangent4j.tensor.TileSink sink = new io.github.tangent4j.tensor.TileSink() {
                @Override
                public long[] shape() {
                    return new long[] {12, 2};
                }

                @Override
                public DType dtype() {
                    return DType.F64;
                }

                @Override
                public boolean hasTile(long rowStart, long rows, long colStart, long cols) {
                    return rowStart == 6 && rows == 6 && colStart == 0 && cols == 2;
                }

                @Override
                public void writeTile(long rowStart, long colStart, Tensor block) {
                    written.add(new long[] {rowStart, block.dim(0), block.dim(1)});
                }
            };
            engine.runInto(sink, 3, (scope, from, to, block) -> computed.add(new long[] {from, to}));
            assertEquals(List.of("0-2"), computed.stream().map(t -> t[0] + "-" + t[1]).toList(), "rows 6..12 held");
            assertEquals(List.of("0x6x2"), written.stream().map(t -> t[0] + "x" + t[1] + "x" + t[2]).toList());
            assertThrows(IllegalArgumentException.class, () -> engine.runInto(sink, 5, (scope, from, to, block) -> {
            }));
        });
    }
}
