package io.github.tangent4j.backend.java;

import io.github.tangent4j.tensor.NativeMemory;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Freed host blocks kept for the next allocation of the same size, up to a byte budget. Tiled
 * computations allocate the same shapes tile after tile; a block larger than the C allocator's mmap
 * threshold goes back to the system when freed and is faulted in again page by page on the next tile,
 * which costs about a tenth of a Jacobian sweep's time here. Used by one backend (one thread at a time).
 */
final class HostBufferPool {
    private final long budgetBytes;
    private final Map<Long, ArrayDeque<MemorySegment>> free = new HashMap<>();
    private long heldBytes;

    /** A pool holding at most {@code budgetBytes} of freed blocks. */
    HostBufferPool(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    /** A freed block of exactly {@code bytes}, or null. */
    MemorySegment take(long bytes) {
        ArrayDeque<MemorySegment> q = free.get(bytes);
        MemorySegment s = q == null ? null : q.poll();
        if (s != null) {
            heldBytes -= bytes;
        }
        return s;
    }

    /** Keeps {@code segment} for reuse if the budget allows; returns whether it was kept. */
    boolean give(MemorySegment segment) {
        long bytes = segment.byteSize();
        if (heldBytes + bytes > budgetBytes) {
            return false;
        }
        free.computeIfAbsent(bytes, k -> new ArrayDeque<>()).push(segment);
        heldBytes += bytes;
        return true;
    }

    /** Bytes held for reuse. */
    long heldBytes() {
        return heldBytes;
    }

    /** Frees every held block. */
    void drain() {
        for (ArrayDeque<MemorySegment> q : free.values()) {
            for (MemorySegment s : q) {
                NativeMemory.free(s);
            }
        }
        free.clear();
        heldBytes = 0;
    }
}
