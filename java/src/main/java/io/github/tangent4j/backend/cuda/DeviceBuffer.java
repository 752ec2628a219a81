package io.github.tangent4j.backend.cuda;

import io.github.tangent4j.backend.Buffer;
import java.lang.foreign.MemorySegment;

/**
 * Device memory from {@code cudaMallocAsync} (or {@code cudaMalloc} on a device without memory pools).
 * Freed only through its backend (on the thread using the backend, with the context current), never by
 * a cleaner thread.
 */
final class DeviceBuffer extends Buffer {
    private final long address;
    private final CudaBackend owner;
    private boolean freshUpload;

    /**
     * @param freshUpload whether the memory was allocated on the copy stream for an upload that has not
     *                    run yet (so that upload need not wait for the compute stream)
     */
    DeviceBuffer(CudaBackend owner, long address, long bytes, boolean freshUpload) {
        super(bytes);
        this.owner = owner;
        this.address = address;
        this.freshUpload = freshUpload;
    }

    /** The device address of byte 0. */
    long address() {
        return address;
    }

    /** Whether this is the first use of memory allocated for an upload; later calls return false. */
    boolean takeFreshUpload() {
        boolean fresh = freshUpload;
        freshUpload = false;
        return fresh;
    }

    @Override
    protected void release() {
        owner.free(MemorySegment.ofAddress(address));
    }
}
