package io.github.tangent4j.bench;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.Backends;

/** Exits 0 when the named backend starts here, else prints why and exits 1 (used by bench/run). */
public final class BackendProbe {
    private BackendProbe() {
    }

    /** {@code BackendProbe NAME}. */
    public static void main(String[] args) {
        try (Backend b = Backends.create(args[0])) {
            System.out.println(b.description());
        } catch (RuntimeException e) {
            System.out.println(e.getMessage());
            System.exit(1);
        }
    }
}
