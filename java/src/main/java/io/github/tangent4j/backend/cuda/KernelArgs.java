package io.github.tangent4j.backend.cuda;

import io.github.tangent4j.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The {@code void** kernelParams} of a launch, built in memory that is reused from launch to launch:
 * slot i holds the value of parameter i and pointer i points at slot i. Used by one thread at a
 * time (the backend's).
 */
final class KernelArgs {
    private static final int MAX = 16;
    private final MemorySegment values;
    private final MemorySegment pointers;
    private int count;

    /** Argument memory from {@code arena}. */
    KernelArgs(Arena arena) {
        values = arena.allocate(MAX * 8L, 8);
        pointers = arena.allocate(ValueLayout.ADDRESS.byteSize() * MAX, 8);
        for (int i = 0; i < MAX; i++) {
            pointers.setAtIndex(ValueLayout.ADDRESS, i, values.asSlice(i * 8L, 8));
        }
    }

    /** Starts a new argument list. */
    KernelArgs reset() {
        count = 0;
        return this;
    }

    private long slot() {
        if (count == MAX) {
            throw new IllegalStateException("more than " + MAX + " kernel parameters");
        }
        return 8L * count++;
    }

    /** A device pointer. */
    KernelArgs pointer(long address) {
        values.set(ValueLayout.JAVA_LONG, slot(), address);
        return this;
    }

    /** An {@code int}. */
    KernelArgs i32(int v) {
        values.set(ValueLayout.JAVA_INT, slot(), v);
        return this;
    }

    /** A {@code long long}. */
    KernelArgs i64(long v) {
        values.set(ValueLayout.JAVA_LONG, slot(), v);
        return this;
    }

    /** A {@code double} for F64 kernels, a {@code float} for F32 kernels. */
    KernelArgs real(DType dtype, double v) {
        long at = slot();
        if (dtype == DType.F64) {
            values.set(ValueLayout.JAVA_DOUBLE, at, v);
        } else {
            values.set(ValueLayout.JAVA_FLOAT, at, (float) v);
        }
        return this;
    }

    /** The {@code void**} array. */
    MemorySegment params() {
        return pointers;
    }
}
