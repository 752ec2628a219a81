package io.github.tangent4j.backend;

/**
 * An allocation on the device failed for lack of memory. Tiled computations catch it and retry with
 * smaller tiles; it escapes only when even the smallest tile does not fit.
 */
public class DeviceOutOfMemoryException extends BackendException {
    private static final long serialVersionUID = 1L;
    private final long requestedBytes;

    /** An exception for a failed request of {@code requestedBytes}. */
    public DeviceOutOfMemoryException(String message, long requestedBytes) {
        super(message);
        this.requestedBytes = requestedBytes;
    }

    /** The size of the allocation that failed, in bytes. */
    public long requestedBytes() {
        return requestedBytes;
    }
}
