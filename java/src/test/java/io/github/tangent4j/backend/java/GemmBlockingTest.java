package io.github.tangent4j.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Vector API GEMM's per-CPU choices: the CPU read from {@code cpuinfo} and sysfs, the block sizes of
 * each vendor, and every micro-tile (4 x 4, 6 x 4 and 8 x 3 vectors) in both loop orders against a naive loop,
 * whatever this CPU chose.
 */
class GemmBlockingTest {
    private static void cache(Path dir, int index, int level, String type, String size) throws IOException {
        Path d = Files.createDirectories(dir.resolve("index" + index));
        Files.writeString(d.resolve("level"), level + "\n");
        Files.writeString(d.resolve("type"), type + "\n");
        Files.writeString(d.resolve("size"), size + "\n");
    }

    @Test
    void readsVendorAndCachesFromCpuinfoAndSysfs(@TempDir Path dir) throws IOException {
        Path cpuinfo = Files.writeString(dir.resolve("cpuinfo"), "processor\t: 0\nvendor_id\t: GenuineIntel\n");
        Path caches = dir.resolve("cache");
        cache(caches, 0, 1, "Data", "48K");
        cache(caches, 1, 1, "Instruction", "32K");
        cache(caches, 2, 2, "Unified", "2048K");
        cache(caches, 3, 3, "Unified", "491520K");
        assertEquals(new GemmBlocking.Cpu("GenuineIntel", 48 << 10, 2 << 20), GemmBlocking.Cpu.detect(cpuinfo, caches));
        assertEquals(new GemmBlocking.Cpu("unknown", 32 << 10, 1 << 20),
                GemmBlocking.Cpu.detect(dir.resolve("none"), dir.resolve("none")));
        assertEquals(1 << 20, GemmBlocking.Cpu.bytes("1M"));
        assertEquals(-1, GemmBlocking.Cpu.bytes("lots"));
    }

    @Test
    void intelGetsTheEightAndTwelveRowTilesAndRowStreamsOfHalfL2BlocksAmdKeepsItsTuning() {
        GemmBlocking.Cpu xeon = new GemmBlocking.Cpu("GenuineIntel", 48 << 10, 2 << 20);
        GemmBlocking.Cpu zen4 = new GemmBlocking.Cpu("AuthenticAMD", 32 << 10, 1 << 20);
        assertEquals(8, GemmBlocking.chooseRows(xeon, 8));
        assertEquals(12, GemmBlocking.chooseRows(xeon, 4));
        assertEquals(4, GemmBlocking.chooseRows(zen4, 8));
        assertEquals(4, GemmBlocking.chooseRows(zen4, 4));
        // B blocks of 1 MB (half the L2) in whole 3-vector panels: 240 = 10 x 24 doubles, 480 = 10 x 48 floats
        assertEquals(new GemmBlocking.Sizes(512, 1024, 240, (2 << 20) / 8, true, 384), GemmBlocking.choose(xeon, 8, 64));
        assertEquals(new GemmBlocking.Sizes(512, 1024, 480, (2 << 20) / 4, true, 768), GemmBlocking.choose(xeon, 4, 64));
        // without AVX-512: the panel order and an A block of three quarters of the L2
        assertEquals(new GemmBlocking.Sizes(512, 384, 2048, (2 << 20) / 8, false, 0), GemmBlocking.choose(xeon, 8, 32));
        assertEquals(new GemmBlocking.Sizes(512, 192, 2048, (1 << 20) / 8, false, 0), GemmBlocking.choose(zen4, 8, 64));
        assertEquals(new GemmBlocking.Sizes(512, 96, 4096, (1 << 20) / 4, false, 0), GemmBlocking.choose(zen4, 4, 64));
    }

    @Test
    void blocksAreEvenedOut() {
        assertEquals(392, PackedGemmLoops.even(784, 512, 1));
        assertEquals(512, PackedGemmLoops.even(512, 512, 1));
        assertEquals(512, PackedGemmLoops.even(5120, 512, 1));
        assertEquals(500, PackedGemmLoops.even(1000, 512, 1));
        assertEquals(216, PackedGemmLoops.even(784, 240, 24));   // 4 blocks of 196, in whole panels
        assertEquals(240, PackedGemmLoops.even(700, 240, 24));   // 234 rounds up to the maximum itself
        assertEquals(24, PackedGemmLoops.even(7, 240, 24));
    }

    @Test
    void rowStreamABlocksTakeUpToAQuarterMoreRowsThanNominal() {
        assertEquals(1280, PackedGemmLoops.rowBlock(1280, 1024, 12));   // one block, not 1024 + 256
        assertEquals(1280, PackedGemmLoops.rowBlock(2560, 1024, 12));   // 1284 would pass the cap
        assertEquals(648, PackedGemmLoops.rowBlock(1281, 1024, 12));
        assertEquals(1032, PackedGemmLoops.rowBlock(2048, 1024, 12));
        assertEquals(1024, PackedGemmLoops.rowBlock(4096, 1024, 8));
        assertEquals(12, PackedGemmLoops.rowBlock(5, 1024, 12));
        assertEquals(30, PackedGemmLoops.rowBlock(30, 24, 8));
    }

    @Test
    void everyMicroTileInBothLoopOrdersAgreesWithANaiveLoop() {
        SplittableRandom rng = new SplittableRandom(3);
        // this CPU's block sizes, with the order each tile is chosen with: 600 and 530 > KC, 800 > MC in the
        // panel order on every CPU
        int[][] shapes = {{1, 1, 1}, {7, 65, 13}, {25, 100, 600}, {800, 40, 530}};
        // small blocks (KC 16, MC 24, NC 48), so that every loop of both orders runs several times with
        // remainders: row panels in 2-3 A blocks, B blocks of 2 panels, 4 slices of the inner dimension; 30 rows
        // are one A block of more than MC rows in the row-stream order
        int[][] smallBlocks = {{37, 101, 45}, {50, 9, 64}, {30, 50, 33}};
        for (int rows : new int[] {4, 6, 8, 12}) {
            for (boolean rowStreams : new boolean[] {false, true}) {
                for (boolean f64 : new boolean[] {true, false}) {
                    for (int t = 0; t < 4; t++) {
                        for (int[] s : rowStreams == (rows >= 8) ? shapes : new int[0][]) {   // as the CPUs choose
                            check(rows, rowStreams, 0, 0, 0, f64, (t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2], rng);
                        }
                        for (int[] s : smallBlocks) {
                            check(rows, rowStreams, 16, 24, 48, f64, (t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2],
                                    rng);
                        }
                    }
                }
            }
        }
    }

    /** One product on the given tile, loop order and block sizes (0: this CPU's) against a naive loop. */
    private static void check(int rows, boolean rowStreams, int kc, int mc, int nc, boolean f64, boolean ta,
            boolean tb, int m, int n, int k, SplittableRandom rng) {
        try (Arena arena = Arena.ofConfined()) {
            int es = f64 ? 8 : 4;
            double[] a = rng.doubles((long) m * k, -1, 1).toArray();
            double[] b = rng.doubles((long) k * n, -1, 1).toArray();
            MemorySegment sa = arena.allocate((long) a.length * es);
            MemorySegment sb = arena.allocate((long) b.length * es);
            MemorySegment sc = arena.allocate((long) m * n * es);
            for (int i = 0; i < a.length; i++) {
                JavaGemmTest.set(sa, f64, i, a[i]);
            }
            for (int i = 0; i < b.length; i++) {
                JavaGemmTest.set(sb, f64, i, b[i]);
            }
            if (f64) {
                VectorGemm64.gemm(rows, rowStreams, kc, mc, nc, ta, tb, m, n, k, 1, sa, 0, ta ? m : k, sb, 0,
                        tb ? k : n, 0, sc, 0, n);
            } else {
                VectorGemm32.gemm(rows, rowStreams, kc, mc, nc, ta, tb, m, n, k, 1, sa, 0, ta ? m : k, sb, 0,
                        tb ? k : n, 0, sc, 0, n);
            }
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double want = 0;
                    for (int p = 0; p < k; p++) {
                        want += (f64 ? a[ta ? p * m + i : i * k + p] : (float) a[ta ? p * m + i : i * k + p])
                                * (f64 ? b[tb ? j * k + p : p * n + j] : (float) b[tb ? j * k + p : p * n + j]);
                    }
                    double got = JavaGemmTest.get(sc, f64, (long) i * n + j);
                    double tol = (f64 ? 1e-13 : 3e-6) * Math.max(1, k);
                    if (!(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)))) {
                        throw new AssertionError(rows + "-row tile " + (rowStreams ? "row streams " : "panels ")
                                + kc + "/" + mc + "/" + nc + " " + (f64 ? "F64 " : "F32 ") + (ta ? "T" : "N")
                                + (tb ? "T" : "N") + " " + m + "x" + n + "x" + k + ": C[" + i + "," + j + "] = " + got
                                + ", expected " + want);
                    }
                }
            }
        }
    }
}
