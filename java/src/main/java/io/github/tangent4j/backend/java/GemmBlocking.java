package io.github.tangent4j.backend.java;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The block sizes of the Vector API GEMM ({@link PackedGemmLoops}), chosen once at start-up from the CPU:
 * its vendor ({@code /proc/cpuinfo}) and its L1 data and L2 cache sizes
 * ({@code /sys/devices/system/cpu/cpu0/cache}). The measurements behind the rules are in bench/RESULTS.md
 * ("GEMM blocking per CPU").
 *
 * <ul>
 * <li>AMD Zen 4 and 5 (and any CPU not recognised): the 4 x 4-vector micro-tile, KC = 512 and an A block of
 * 768 KB (F64) or 192 KB (F32), as tuned on Zen 4.</li>
 * <li>Intel with AVX-512 (two 512-bit FMA ports on Xeons since Skylake-SP): the 8 x 3-vector micro-tile (F64) or
 * the 12 x 2 one (F32: it streams a third fewer bytes of B from L2 per FMA and was 2-4% faster than 8 x 3 on the
 * large products; its 12-row A panel is 24 KB), 24 FMAs per step of the inner loop instead of 16, which keeps both
 * ports busier, and the row-stream loop order of {@link PackedGemmLoops}: KC = 512, B blocks of half the L2 (NC =
 * 240 F64, 480 F32 with a 2 MB L2), each swept by 8-row A panels held in L1, and A blocks of up to 1024 rows (4 MB
 * F64, 2 MB F32), which live in L3 (2048 rows ran 8% slower in F64 and 0-3% in F32 once the B panels were aligned,
 * bench/RESULTS.md 2026-12-05 16:01; evened out, a block may take up to 1280 rows:
 * {@link PackedGemmLoops#rowBlock(int, int, int)}). On a Sapphire Rapids class Xeon this is 1.1x the 6 x 4 tile
 * in the panel order (which was itself 1.2-1.3x the 4 x 4 tile), mostly by turning the update of C from cold misses
 * into row streams. Products whose A fits one A block of three quarters of the L2 (m up to 384 F64, 768 F32 with
 * a 2 MB L2:
 * the NTK's 256 x 256 x 5120) keep the 6 x 4 tile in the panel order, which is faster there (0.9 against 0.8 of
 * OpenBLAS).</li>
 * <li>Intel without AVX-512: the narrow 6 x 2 tile, the panel order and an A block of three quarters of
 * the L2 (not measured since the row-stream order).</li>
 * </ul>
 * Each size can be overridden for tuning with the system properties {@code tangent4j.gemm.kc},
 * {@code tangent4j.gemm.mc} and {@code tangent4j.gemm.nc} (in elements; applied to both precisions), and
 * the micro-tile's rows with {@code tangent4j.gemm.mr} (4: 4 x 4, 6: 6 x 4, 8: 8 x 3, 12: 12 x 2).
 */
final class GemmBlocking {
    /** The rows of an A block in the row-stream order (see the class comment). */
    static final int ROW_STREAM_MC = 1024;

    /** The CPU as far as the blocking cares: vendor ({@code GenuineIntel}, {@code AuthenticAMD}) and cache sizes. */
    record Cpu(String vendor, long l1dBytes, long l2Bytes) {
        boolean intel() {
            return vendor.equals("GenuineIntel");
        }

        /** This machine's CPU; sizes that cannot be read default to a Zen 4 core's (32 KB, 1 MB). */
        static Cpu detect() {
            return detect(Path.of("/proc/cpuinfo"), Path.of("/sys/devices/system/cpu/cpu0/cache"));
        }

        /** The CPU described by a {@code cpuinfo} file and a sysfs {@code cache} folder. */
        static Cpu detect(Path cpuinfo, Path caches) {
            String vendor = "unknown";
            try (var lines = Files.lines(cpuinfo)) {
                vendor = lines.filter(l -> l.startsWith("vendor_id")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                        .findFirst().orElse(vendor);
            } catch (IOException | RuntimeException e) {
                // not Linux: the defaults
            }
            long l1d = 32 << 10;
            long l2 = 1 << 20;
            for (int i = 0; i < 8; i++) {
                Path index = caches.resolve("index" + i);
                String level = read(index.resolve("level"));
                String type = read(index.resolve("type"));
                long size = bytes(read(index.resolve("size")));
                if (level == null || type == null || size <= 0) {
                    continue;
                }
                if (level.equals("1") && type.equals("Data")) {
                    l1d = size;
                } else if (level.equals("2") && !type.equals("Instruction")) {
                    l2 = size;
                }
            }
            return new Cpu(vendor, l1d, l2);
        }

        private static String read(Path p) {
            try {
                return Files.readString(p).trim();
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        /** {@code 48K}, {@code 2048K}, {@code 1M} as bytes; -1 if unreadable. */
        static long bytes(String size) {
            if (size == null || size.isEmpty()) {
                return -1;
            }
            String s = size.toUpperCase(Locale.ROOT);
            long unit = s.endsWith("K") ? 1 << 10 : s.endsWith("M") ? 1 << 20 : s.endsWith("G") ? 1 << 30 : 1;
            try {
                return Long.parseLong(unit == 1 ? s : s.substring(0, s.length() - 1)) * unit;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    /**
     * The block sizes of one element type, in elements: {@code kc} (inner dimension), {@code mc} (rows of
     * A), {@code nc} (columns of B), {@code l2BBlock}, the largest packed B block visited row panel by row
     * panel, and the loop order, {@code rowStreams} (see {@link PackedGemmLoops}). With the row-stream order,
     * products of at most {@code panelRows} rows run in the panel order on the 6 x 4 tile instead, as one A
     * block (0: none).
     */
    record Sizes(int kc, int mc, int nc, long l2BBlock, boolean rowStreams, int panelRows) {
    }

    /** This machine's CPU. */
    static final Cpu CPU = Cpu.detect();

    private GemmBlocking() {
    }

    /**
     * The rows of the micro-tile with 512-bit vectors for elements of {@code es} bytes: 4 (a 4 x 4-vector
     * tile), 6 (6 x 4), 8 (8 x 3) or 12 (12 x 2) as {@link #chooseRows(Cpu, int)} says;
     * {@code tangent4j.gemm.mr} overrides (both precisions).
     */
    static int wideRows(int es) {
        int r = Integer.getInteger("tangent4j.gemm.mr", chooseRows(CPU, es));
        return r == 6 || r == 8 || r == 12 ? r : 4;
    }

    /** On Intel 12 rows for F32 and 8 for F64, 4 elsewhere (see the class comment). */
    static int chooseRows(Cpu cpu, int es) {
        return !cpu.intel() ? 4 : es == Float.BYTES ? 12 : 8;
    }

    /**
     * The sizes on this machine for elements of {@code es} bytes and vectors of {@code vectorBytes} bytes,
     * with the overrides applied.
     */
    static Sizes sizes(int es, int vectorBytes) {
        Sizes s = choose(CPU, es, vectorBytes);
        return new Sizes(Integer.getInteger("tangent4j.gemm.kc", s.kc()), Integer.getInteger("tangent4j.gemm.mc",
                s.mc()), Integer.getInteger("tangent4j.gemm.nc", s.nc()), s.l2BBlock(), s.rowStreams(), s.panelRows());
    }

    /**
     * The sizes for {@code cpu}, elements of {@code es} bytes and vectors of {@code vectorBytes} bytes; see
     * the class comment for the rules.
     */
    static Sizes choose(Cpu cpu, int es, int vectorBytes) {
        int nc = panelNc(es);
        long l2Block = cpu.l2Bytes() / es;
        int kc = 512;
        if (!cpu.intel()) {
            return new Sizes(kc, es == 8 ? 192 : 96, nc, l2Block, false, 0);
        }
        int l2Mc = (int) Math.max(96, Math.min(1536, cpu.l2Bytes() * 3 / 4 / ((long) kc * es) / 48 * 48));
        if (vectorBytes >= 64) {
            int panel = 3 * vectorBytes / es;   // the 8 x 3 tile's B panel; 480 floats are 15 of the 12 x 2 tile's too
            int streamNc = (int) Math.max(panel, cpu.l2Bytes() / 2 / ((long) kc * es) / panel * panel);
            return new Sizes(kc, ROW_STREAM_MC, streamNc, l2Block, true, l2Mc);
        }
        return new Sizes(kc, l2Mc, nc, l2Block, false, 0);
    }

    /** NC in the panel order for elements of {@code es} bytes: 16 K bytes of each row of B. */
    static int panelNc(int es) {
        return (16 << 10) / es;
    }
}
