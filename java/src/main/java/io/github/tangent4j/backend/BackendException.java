package io.github.tangent4j.backend;

/**
 * A backend operation failed: a native call returned an error status, a kernel launch failed, or
 * the backend cannot be used. The message names the call and the error.
 */
public class BackendException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An exception with the given message. */
    public BackendException(String message) {
        super(message);
    }

    /** An exception with the given message and cause. */
    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
