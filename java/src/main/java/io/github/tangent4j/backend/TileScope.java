package io.github.tangent4j.backend;

import io.github.tangent4j.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What one tile (or one row block of a grid) allocates, closed in reverse order when it ends, also when it
 * fails: a tile that runs out of memory leaves nothing behind before it is retried with fewer rows.
 */
public final class TileScope implements AutoCloseable {
    private final Backend backend;
    private final List<AutoCloseable> owned = new ArrayList<>();

    TileScope(Backend backend) {
        this.backend = backend;
    }

    /** The backend the tile runs on. */
    public Backend backend() {
        return backend;
    }

    /** A zero-filled rows x cols matrix freed when the tile ends (see {@link Backend#allocate}). */
    public DeviceMatrix allocate(DType dtype, long rows, long cols) {
        return track(backend.allocate(dtype, rows, cols));
    }

    /**
     * A rows x cols matrix with unspecified contents freed when the tile ends, for results that overwrite
     * every element (see {@link Backend#allocateUninitialised}).
     */
    public DeviceMatrix allocateUninitialised(DType dtype, long rows, long cols) {
        return track(backend.allocateUninitialised(dtype, rows, cols));
    }

    /** Closes {@code resource} (a matrix, a tile's features) when the tile ends; returns it. */
    public <M extends AutoCloseable> M track(M resource) {
        owned.add(Objects.requireNonNull(resource, "resource"));
        return resource;
    }

    /** Closes what the tile allocated, last first; every resource is closed even if one fails. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                RuntimeException r = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                if (failure == null) {
                    failure = r;
                } else {
                    failure.addSuppressed(r);
                }
            }
        }
        owned.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
