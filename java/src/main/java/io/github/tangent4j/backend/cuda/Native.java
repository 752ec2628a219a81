package io.github.tangent4j.backend.cuda;

import io.github.tangent4j.backend.BackendException;
import io.github.tangent4j.backend.DeviceOutOfMemoryException;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** C type layouts (LP64 Linux) and small helpers shared by the binding classes. */
final class Native {
    /** {@code int}, {@code unsigned int} and C enums. */
    static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    /** {@code long long} and {@code size_t}. */
    static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    /** {@code double}. */
    static final ValueLayout.OfDouble C_DOUBLE = ValueLayout.JAVA_DOUBLE;
    /** {@code float}. */
    static final ValueLayout.OfFloat C_FLOAT = ValueLayout.JAVA_FLOAT;
    /** Any pointer or opaque handle. */
    static final AddressLayout C_POINTER = ValueLayout.ADDRESS;

    private Native() {
    }

    /** The NUL-terminated string at {@code p}, or {@code null} for a NULL pointer. */
    static String cString(MemorySegment p) {
        if (p == null || p.address() == 0) {
            return null;
        }
        return p.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /** A downcall returning a C {@code int} status, as a lambda around {@code invokeExact}. */
    @FunctionalInterface
    interface IntCall {
        int call() throws Throwable;
    }

    /** A downcall returning a C {@code long long}. */
    @FunctionalInterface
    interface LongCall {
        long call() throws Throwable;
    }

    /** A downcall returning a pointer. */
    @FunctionalInterface
    interface PointerCall {
        MemorySegment call() throws Throwable;
    }

    /** Runs a downcall that returns a status code; what it throws is rethrown by {@link #rethrow}. */
    static int status(IntCall downcall) {
        try {
            return downcall.call();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Runs a downcall that returns a {@code long long}. */
    static long longValue(LongCall downcall) {
        try {
            return downcall.call();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Runs a downcall that returns a pointer. */
    static MemorySegment pointer(PointerCall downcall) {
        try {
            return downcall.call();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * The exception for a failed call: {@link DeviceOutOfMemoryException} (with {@code bytes} as the
     * request) when {@code outOfMemory}, else {@link BackendException}; the message is
     * {@code "<call> failed: <description>"}.
     */
    static RuntimeException failure(String call, String description, boolean outOfMemory, long bytes) {
        String message = call + " failed: " + description;
        return outOfMemory ? new DeviceOutOfMemoryException(message, bytes) : new BackendException(message);
    }

    /** Rethrows what a downcall threw: unchecked as is, anything else (impossible for exact calls) wrapped. */
    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("native call failed", t);
    }
}
