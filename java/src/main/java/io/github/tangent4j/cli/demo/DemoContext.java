package io.github.tangent4j.cli.demo;

import io.github.tangent4j.backend.Backend;
import java.util.Objects;

/**
 * What every figure needs: the backend to compute on and whether to use the tiny sizes of
 * {@code --quick} (for tests and CI) or the default ones (about a minute on 2 CPU cores in all).
 */
public final class DemoContext {
    private final Backend backend;
    private final boolean quick;

    /** A context computing on {@code backend} (used by one thread at a time), tiny sizes when {@code quick}. */
    public DemoContext(Backend backend, boolean quick) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.quick = quick;
    }

    /** The backend. */
    public Backend backend() {
        return backend;
    }

    /** Whether the tiny sizes are used. */
    public boolean quick() {
        return quick;
    }

    /** {@code normal}, or {@code tiny} under {@code --quick}. */
    int size(int normal, int tiny) {
        return quick ? tiny : normal;
    }

    /** {@code normal}, or {@code tiny} under {@code --quick}. */
    int[] sizes(int[] normal, int[] tiny) {
        return quick ? tiny : normal;
    }
}
