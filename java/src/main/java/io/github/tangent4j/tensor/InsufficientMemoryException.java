package io.github.tangent4j.tensor;

/**
 * An array does not fit in the host memory that is free (or, for memory from an {@link java.lang.foreign.Arena},
 * under the JVM's direct-memory limit). Thrown before anything is allocated; the message names the array,
 * the bytes it needs and the bytes available.
 */
public final class InsufficientMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long bytes;

    /** An exception for an array of {@code bytes} bytes that does not fit, described by {@code message}. */
    public InsufficientMemoryException(String message, long bytes) {
        super(message);
        this.bytes = bytes;
    }

    /** The number of bytes that did not fit. */
    public long bytes() {
        return bytes;
    }

    /** The same exception with {@code where} (e.g. the file the array comes from) before the message. */
    public InsufficientMemoryException in(String where) {
        InsufficientMemoryException e = new InsufficientMemoryException(where + ": " + getMessage(), bytes);
        e.initCause(this);
        return e;
    }
}
