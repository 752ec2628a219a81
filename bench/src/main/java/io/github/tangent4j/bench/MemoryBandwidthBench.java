package io.github.tangent4j.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The machine's memory bandwidth, STREAM-like (McCalpin, "Memory Bandwidth and Machine Balance in Current High
 * Performance Computers", IEEE TCCA Newsletter 1995): over off-heap arrays far larger than the caches, split
 * into {@code threads} contiguous parts run at once, {@code copy} ({@code b = a}), {@code scale}
 * ({@code b = s a}, F32) and {@code fill} ({@code b = 0}, writes only). STREAM counts the bytes a kernel names:
 * read + write for copy and scale (2 x bytes), write for fill; the benchmark prints them as
 * {@code # bytes copy=... fill=...} so that bandwidth = bytes / time. The parameter Jacobian writes its
 * output once, so {@code fill}, {@code scale} and {@code runs} (its own access pattern: runs of 784 F32 values,
 * each a scaled copy of a row held in the L1 cache, stored from the vector registers) are the ceilings it is
 * measured against (bench/RESULTS.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
public class MemoryBandwidthBench {
    /** Bytes per array (default 512 MiB: two of them, far beyond the last-level cache). */
    @Param({"536870912"})
    public long bytes;

    /** Threads running parts of the arrays at once. */
    @Param({"2"})
    public int threads;

    private Arena arena;
    private MemorySegment a;
    private MemorySegment b;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        a = arena.allocate(bytes, 64);
        b = arena.allocate(bytes, 64);
        a.fill((byte) 1);
        b.fill((byte) 2);   // touched: page faults are not part of the measure
        System.out.printf("%n# bytes copy=%d scale=%d fill=%d runs=%d%n", 2 * bytes, 2 * bytes, bytes, bytes);
    }

    /** {@code b = a}: bytes read and bytes written. */
    @Benchmark
    public void copy() {
        parts((from, len) -> b.asSlice(from, len).copyFrom(a.asSlice(from, len)));
    }

    /** {@code b = 3 a} in F32: the one-pass shape of the parameter Jacobian's rows (a scaled copy). */
    @Benchmark
    public void scale() {
        parts((from, len) -> {
            float[] buf = new float[4096];
            for (long at = from; at < from + len; at += 4L * buf.length) {
                int n = (int) Math.min(buf.length, (from + len - at) / 4);
                MemorySegment.copy(a, ValueLayout.JAVA_FLOAT, at, buf, 0, n);
                for (int k = 0; k < n; k++) {
                    buf[k] *= 3f;
                }
                MemorySegment.copy(buf, 0, b, ValueLayout.JAVA_FLOAT, at, n);
            }
        });
    }

    /** {@code b = 0}: bytes written only. */
    @Benchmark
    public void fill() {
        parts((from, len) -> b.asSlice(from, len).fill((byte) 0));
    }

    /**
     * {@code b} written as runs of {@link #RUN} F32 values, run j = (j + 1) times a row of {@link #RUN} values
     * that stays in the L1 cache: writes only, as the parameter Jacobian's weight blocks are written.
     */
    @Benchmark
    public void runs() {
        parts((from, len) -> {
            float[] row = new float[RUN];
            for (int k = 0; k < RUN; k++) {
                row[k] = k * 0.5f;
            }
            long runBytes = (long) RUN * Float.BYTES;
            float s = 1;
            for (long at = from; at + runBytes <= from + len; at += runBytes, s += 1) {
                int k = 0;
                for (int bound = F32.loopBound(RUN); k < bound; k += F32.length()) {
                    FloatVector.fromArray(F32, row, k).mul(s).intoMemorySegment(b, at + (long) k * Float.BYTES,
                            ByteOrder.LITTLE_ENDIAN);
                }
            }
        });
    }

    /** Values per run in {@link #runs()}: the width of the parameter Jacobian's first layer input. */
    private static final int RUN = 784;
    private static final VectorSpecies<Float> F32 = FloatVector.SPECIES_PREFERRED;

    @FunctionalInterface
    private interface Part {
        void run(long from, long len);
    }

    /** Runs {@code part} over {@code threads} contiguous 4 KiB-aligned ranges of the arrays at once. */
    private void parts(Part part) {
        long pages = bytes / 4096;
        IntStream.range(0, threads).parallel().forEach(t -> {
            long from = pages * t / threads * 4096;
            long to = t == threads - 1 ? bytes : pages * (t + 1) / threads * 4096;
            part.run(from, to - from);
        });
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }
}
