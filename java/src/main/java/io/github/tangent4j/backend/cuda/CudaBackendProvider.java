package io.github.tangent4j.backend.cuda;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.BackendException;
import io.github.tangent4j.backend.BackendProvider;

/**
 * Registers the {@link CudaBackend} (name {@code cuda}, preferred over Java). Kept free of
 * references to the bindings so that listing providers loads no CUDA library: only
 * {@link #create()} does.
 */
public final class CudaBackendProvider implements BackendProvider {
    /** Used by {@link java.util.ServiceLoader}. */
    public CudaBackendProvider() {
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public int priority() {
        return 10;
    }

    /**
     * Loads the CUDA libraries, checks that a device answers and creates a backend.
     *
     * @throws io.github.tangent4j.backend.BackendException naming every missing library (and where it
     *         was looked for), "no GPU" with the runtime's error, or the failing call
     */
    @Override
    public Backend create() {
        try {
            return CudaProbe.create();
        } catch (BackendException e) {
            throw e;
        } catch (RuntimeException e) { // e.g. a malformed -Dtangent4j.cuda.device: still a reason, not a crash
            throw new BackendException("the CUDA backend could not start: " + e.getMessage(), e);
        }
    }
}
