package io.github.tangent4j.backend.internal;

/** What the bindings of native libraries (CUDA, the system CBLAS) share around their downcall handles. */
public final class Downcalls {
    private Downcalls() {
    }

    /**
     * Rethrows what a downcall ({@code MethodHandle.invokeExact}) threw: unchecked exceptions and errors as they
     * are; anything else (impossible for exact calls, which declare nothing) wrapped, naming {@code what}.
     *
     * @return never; declared so that callers can write {@code throw Downcalls.rethrow(t, ...)}
     */
    public static RuntimeException rethrow(Throwable t, String what) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(what + " failed", t);
    }
}
