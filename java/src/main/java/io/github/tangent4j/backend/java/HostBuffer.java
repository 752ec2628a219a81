package io.github.tangent4j.backend.java;

import io.github.tangent4j.backend.DeviceOutOfMemoryException;
import io.github.tangent4j.backend.internal.Buffer;
import io.github.tangent4j.tensor.NativeMemory;
import java.lang.foreign.MemorySegment;

/**
 * Off-heap host memory from the C allocator ({@link NativeMemory}), 64-byte aligned. Freed explicitly and
 * from any thread, without the deoptimisation that closing a shared arena costs.
 */
final class HostBuffer extends Buffer {
    private final MemorySegment segment;
    private final HostBufferPool pool;
    private final boolean borrowed;

    private HostBuffer(MemorySegment segment, long bytes, HostBufferPool pool, boolean borrowed) {
        super(bytes);
        this.segment = segment;
        this.pool = pool;
        this.borrowed = borrowed;
    }

    /**
     * {@code bytes} (> 0) from {@code pool}'s blocks of that size when it holds one, else from the C
     * allocator; freeing gives the block back to the pool when it has room (null: no pool).
     */
    static HostBuffer allocate(long bytes, HostBufferPool pool) {
        MemorySegment reused = pool == null ? null : pool.take(bytes);
        if (reused != null) {
            return new HostBuffer(reused, bytes, pool, false);
        }
        return new HostBuffer(mallocAligned(bytes), bytes, pool, false);
    }

    /** A buffer over memory someone else owns (a host tensor): freeing it leaves the memory alone. */
    static HostBuffer borrow(MemorySegment memory) {
        return new HostBuffer(memory, memory.byteSize(), null, true);
    }

    /** {@code bytes} from the C allocator, 64-byte aligned. */
    private static MemorySegment mallocAligned(long bytes) {
        MemorySegment p = NativeMemory.allocate(bytes);
        if (p == null) {
            throw new DeviceOutOfMemoryException("aligned_alloc: out of host memory allocating " + bytes
                    + " bytes", bytes);
        }
        return p;
    }

    /** The whole buffer; valid until {@link #free()}. */
    MemorySegment segment() {
        return segment;
    }

    @Override
    protected void release() {
        if (borrowed) {
            return;
        }
        if (pool == null || !pool.give(segment)) {
            NativeMemory.free(segment);
        }
    }
}
