package io.github.tangent4j.backend.internal;

/**
 * A block of backend memory owned by one {@link BufferMatrix} and its views. Subclasses say how
 * memory is released; this class makes release happen at most once.
 */
public abstract class Buffer {
    private final long byteSize;
    private boolean freed;

    /** A buffer of {@code byteSize} bytes. */
    protected Buffer(long byteSize) {
        this.byteSize = byteSize;
    }

    /** Size in bytes. */
    public final long byteSize() {
        return byteSize;
    }

    /** Whether {@link #free()} has run. */
    public final boolean isFreed() {
        return freed;
    }

    /** Releases the memory; later calls do nothing. */
    public final void free() {
        if (!freed) {
            freed = true;
            release();
        }
    }

    /** Returns the memory to the allocator; called exactly once. */
    protected abstract void release();
}
