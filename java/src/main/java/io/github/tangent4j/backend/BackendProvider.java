package io.github.tangent4j.backend;

/**
 * A kind of backend that {@link Backends} can create, found with {@link java.util.ServiceLoader}.
 * Implementations live in the backend packages, so {@code backend} does not depend on them.
 */
public interface BackendProvider {
    /** The name users select it by ({@code java}, {@code cuda}). */
    String name();

    /** Order of preference for {@link Backends#auto()}: higher is tried first. */
    int priority();

    /**
     * Creates a backend, or throws {@link BackendException} whose message says exactly which piece is
     * missing (a library, the driver, a device). Never crashes the JVM.
     */
    Backend create();
}
