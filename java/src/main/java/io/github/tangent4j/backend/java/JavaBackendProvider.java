package io.github.tangent4j.backend.java;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.BackendProvider;

/** Registers the {@link JavaBackend}: always available, least preferred. */
public final class JavaBackendProvider implements BackendProvider {
    /** Used by {@link java.util.ServiceLoader}. */
    public JavaBackendProvider() {
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Backend create() {
        return new JavaBackend();
    }
}
