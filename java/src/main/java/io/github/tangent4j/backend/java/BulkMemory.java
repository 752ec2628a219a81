package io.github.tangent4j.backend.java;

import java.lang.foreign.MemorySegment;
import java.util.function.BiConsumer;

/**
 * Copies and fills of large host blocks split over the {@link ComputePool}: one core does not reach the
 * memory bandwidth, and the first touch of freshly mapped pages (page faults) is per-core work.
 */
final class BulkMemory {
    /** Blocks below this many bytes are handled by the calling thread alone. */
    static final long PARALLEL_BYTES = 4L << 20;

    private BulkMemory() {
    }

    /** {@code dst.copyFrom(src)} (same byte size). */
    static void copy(MemorySegment src, MemorySegment dst) {
        long bytes = src.byteSize();
        split(bytes, 64, (from, to) -> dst.asSlice(from, to - from).copyFrom(src.asSlice(from, to - from)));
    }

    /**
     * Runs {@code body(from, to)} over byte ranges covering {@code [0, bytes)} whose bounds are multiples of
     * {@code grain} (except the end), in parallel when the block is large.
     */
    static void split(long bytes, long grain, BiConsumer<Long, Long> body) {
        int parts = bytes < PARALLEL_BYTES ? 1 : ComputePool.THREADS;
        ComputePool.run(parts, part -> {
            long from = bytes / grain * part / parts * grain;
            long to = part == parts - 1 ? bytes : bytes / grain * (part + 1) / parts * grain;
            if (to > from) {
                body.accept(from, to);
            }
        });
    }
}
