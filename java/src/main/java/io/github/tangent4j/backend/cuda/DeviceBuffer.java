package io.github.tangent4j.backend.cuda;

import io.github.tangent4j.backend.internal.Buffer;
import java.lang.foreign.MemorySegment;

/**
 * Device memory from {@code cudaMallocAsync} (or {@code cudaMalloc} on a device without memory pools).
 * Freed only through its backend (on the thread using the backend, with the context current), never by
 * a cleaner thread.
 */
final class DeviceBuffer extends Buffer {
    private final long address;
    private final CudaBackend owner;

    DeviceBuffer(CudaBackend owner, long address, long bytes) {
        super(bytes);
        this.owner = owner;
        this.address = address;
    }

    /** The device address of byte 0. */
    long address() {
        return address;
    }

    @Override
    protected void release() {
        owner.free(MemorySegment.ofAddress(address));
    }
}
