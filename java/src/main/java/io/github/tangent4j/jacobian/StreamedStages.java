package io.github.tangent4j.jacobian;

import io.github.tangent4j.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.ref.SoftReference;
import java.util.Locale;

/**
 * When a large block is written faster through a stage: elements computed into a buffer of about 2.6 MiB on the
 * Java heap, which one {@link java.lang.foreign.MemorySegment#copy} then moves into the block. HotSpot's x86_64
 * copy stub, where it uses 64-byte vectors (AVX-512), makes copies of at least 2.5 MiB with non-temporal stores:
 * they write a cache line to memory without reading it first, where stores from the registers read every line
 * of the destination before they overwrite it. The stage is written and read back in the cache, so the block
 * costs one pass of memory traffic instead of two: 29-33 GB/s against 15-18 GB/s on the two cores of the Intel
 * Xeon here (copies of 2.6 MB against 2.5 MB pieces from a heap array, 2026-12-05, bench/RESULTS.md).
 *
 * <p>On without a flag on x86_64 with the Vector API's preferred vectors of 512 bits (the same JVM condition as the
 * stub's 64-byte path); {@code -Dtangent4j.jacobian.stagedWrites=false|true} turns it off or on regardless (to
 * compare the two).
 */
final class StreamedStages {
    /** The smallest copy that HotSpot's AVX-512 copy stub makes with non-temporal stores: 2.5 MiB. */
    static final long STREAMED_FROM_BYTES = 5L << 19;
    /** A stage's bytes: just above {@link #STREAMED_FROM_BYTES}, so that the stage stays in the caches. */
    static final long STAGE_BYTES = STREAMED_FROM_BYTES + (128L << 10);
    /** Whether blocks are written through stages. */
    static final boolean ENABLED = enabled();
    /**
     * Each thread's stage, kept between blocks: a new one per block would be a humongous allocation of the
     * garbage collector (zeroed, and a young collection every few blocks); softly held, so memory pressure frees it.
     */
    private static final ThreadLocal<SoftReference<byte[]>> STAGES = new ThreadLocal<>();

    private StreamedStages() {
    }

    /** Elements of {@code dtype} per stage, or 0 when blocks are written straight from the registers. */
    static long pieceElements(DType dtype) {
        return ENABLED ? STAGE_BYTES / dtype.byteSize() : 0;
    }

    /**
     * The calling thread's stage of at least {@code bytes} bytes, on the Java heap: a byte array, the one heap
     * array the Vector API stores into. Its contents are those of the thread's last block; one writer at a time
     * per thread.
     */
    static MemorySegment stage(int bytes) {
        SoftReference<byte[]> held = STAGES.get();
        byte[] stage = held == null ? null : held.get();
        if (stage == null || stage.length < bytes) {
            stage = new byte[bytes];
            STAGES.set(new SoftReference<>(stage));
        }
        return MemorySegment.ofArray(stage);
    }

    private static boolean enabled() {
        String p = System.getProperty("tangent4j.jacobian.stagedWrites");
        if (p != null && (p.equalsIgnoreCase("true") || p.equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(p);
        }
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return (arch.equals("amd64") || arch.equals("x86_64")) && VectorRuns.vectorBits() >= 512;
    }
}
