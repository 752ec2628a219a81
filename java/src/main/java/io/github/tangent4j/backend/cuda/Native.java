package io.github.tangent4j.backend.cuda;

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

    /** Rethrows what a downcall threw: unchecked as is, anything else (impossible for exact calls) wrapped. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("native call failed", t);
    }
}
