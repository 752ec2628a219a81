package io.github.tangent4j.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Host memory that is not zero-filled, from the C allocator ({@code aligned_alloc}), freed by the garbage
 * collector's cleaner like {@link Arena#ofAuto()} memory. For results that are overwritten completely: a
 * large fresh block is then touched once (by its writer, possibly in parallel) instead of twice.
 */
final class UninitialisedMemory {
    private static final MethodHandle ALIGNED_ALLOC;
    private static final MethodHandle FREE;

    static {
        Linker linker = Linker.nativeLinker();
        ALIGNED_ALLOC = linker.downcallHandle(linker.defaultLookup().find("aligned_alloc").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
        FREE = linker.downcallHandle(linker.defaultLookup().find("free").orElseThrow(),
                FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    }

    private UninitialisedMemory() {
    }

    /**
     * {@code bytes} (> 0) aligned to {@link Tensor#ALIGNMENT}, or null when the C allocator refuses; freed
     * when the returned segment becomes unreachable.
     */
    static MemorySegment allocate(long bytes) {
        long rounded = (bytes + Tensor.ALIGNMENT - 1) / Tensor.ALIGNMENT * Tensor.ALIGNMENT;
        MemorySegment p;
        try {
            p = (MemorySegment) ALIGNED_ALLOC.invokeExact(Tensor.ALIGNMENT, rounded);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (p.address() == 0) {
            return null;
        }
        return p.reinterpret(bytes, Arena.ofAuto(), UninitialisedMemory::free);
    }

    private static void free(MemorySegment p) {
        try {
            FREE.invokeExact(p);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
