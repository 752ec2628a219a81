package io.github.tangent4j.backend.cuda;

import io.github.tangent4j.backend.BackendException;
import io.github.tangent4j.backend.DeviceOutOfMemoryException;
import io.github.tangent4j.backend.internal.Downcalls;
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

    /** A downcall: a lambda around {@code invokeExact} returning the C function's value (boxed). */
    @FunctionalInterface
    interface Downcall<T> {
        T call() throws Throwable;
    }

    /**
     * Runs a downcall, rethrowing what it throws ({@link Downcalls#rethrow}). The bindings return its value
     * unboxed, e.g. {@code return Native.call(() -> (int) FREE.invokeExact(p));}: status codes below 128 are
     * cached boxes, and the JIT removes the others after inlining.
     */
    static <T> T call(Downcall<T> downcall) {
        try {
            return downcall.call();
        } catch (Throwable t) {
            throw Downcalls.rethrow(t, "native call");
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
}
