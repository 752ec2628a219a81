package io.github.tangent4j.backend.cuda;

import java.lang.foreign.MemorySegment;
import java.util.function.LongFunction;

/**
 * Device memory that only grows: a call that needs more bytes than the buffer holds frees it and allocates a
 * larger one; the same buffer serves every smaller call. Freed on {@link #close}.
 */
final class GrowingBuffer implements AutoCloseable {
    private final LongFunction<DeviceBuffer> allocator;
    private DeviceBuffer buffer;

    /** @param allocator the device memory, freed by this object */
    GrowingBuffer(LongFunction<DeviceBuffer> allocator) {
        this.allocator = allocator;
    }

    /** The device address of a buffer of at least {@code bytes} bytes. */
    MemorySegment atLeast(long bytes) {
        if (buffer == null || buffer.byteSize() < bytes) {
            close();
            buffer = allocator.apply(bytes);
        }
        return MemorySegment.ofAddress(buffer.address());
    }

    @Override
    public void close() {
        if (buffer != null) {
            DeviceBuffer b = buffer;
            buffer = null;
            b.free();
        }
    }
}
