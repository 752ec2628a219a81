package io.github.tangent4j.backend.java;

import io.github.tangent4j.backend.Buffer;
import io.github.tangent4j.backend.DeviceOutOfMemoryException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Off-heap host memory from the C allocator ({@code aligned_alloc}/{@code free}), 64-byte aligned.
 * Freed explicitly and from any thread, without the deoptimisation that closing a shared arena costs.
 */
final class HostBuffer extends Buffer {
    private static final long ALIGNMENT = 64;
    private static final MethodHandle ALIGNED_ALLOC;
    private static final MethodHandle FREE;

    static {
        Linker linker = Linker.nativeLinker();
        ALIGNED_ALLOC = linker.downcallHandle(linker.defaultLookup().find("aligned_alloc").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
        FREE = linker.downcallHandle(linker.defaultLookup().find("free").orElseThrow(),
                FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    }

    private final MemorySegment segment;
    private final HostBufferPool pool;

    private HostBuffer(MemorySegment segment, long bytes, HostBufferPool pool) {
        super(bytes);
        this.segment = segment;
        this.pool = pool;
    }

    /**
     * {@code bytes} (> 0) from {@code pool}'s blocks of that size when it holds one, else from the C
     * allocator; freeing gives the block back to the pool when it has room (null: no pool).
     */
    static HostBuffer allocate(long bytes, HostBufferPool pool) {
        MemorySegment reused = pool == null ? null : pool.take(bytes);
        if (reused != null) {
            return new HostBuffer(reused, bytes, pool);
        }
        return new HostBuffer(mallocAligned(bytes), bytes, pool);
    }

    /** {@code bytes} from {@code aligned_alloc}, 64-byte aligned. */
    private static MemorySegment mallocAligned(long bytes) {
        long rounded = (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        MemorySegment p;
        try {
            p = (MemorySegment) ALIGNED_ALLOC.invokeExact(ALIGNMENT, rounded);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (p.address() == 0) {
            throw new DeviceOutOfMemoryException("aligned_alloc: out of host memory allocating " + bytes
                    + " bytes", bytes);
        }
        return p.reinterpret(bytes);
    }

    /** The whole buffer; valid until {@link #free()}. */
    MemorySegment segment() {
        return segment;
    }

    @Override
    protected void release() {
        if (pool == null || !pool.give(segment)) {
            freeNow(segment);
        }
    }

    /** Returns {@code segment} (from {@link #mallocAligned}) to the C allocator. */
    static void freeNow(MemorySegment segment) {
        try {
            FREE.invokeExact(MemorySegment.ofAddress(segment.address()));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
