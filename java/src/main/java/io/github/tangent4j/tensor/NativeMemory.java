package io.github.tangent4j.tensor;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Host memory from the C allocator ({@code aligned_alloc}/{@code free}), {@link Tensor#ALIGNMENT}-aligned
 * and not zero-filled: for results that are overwritten completely (a large fresh block is then touched
 * once, by its writer, instead of twice) and for buffers freed explicitly from any thread (without the
 * deoptimisation that closing a shared arena costs).
 */
public final class NativeMemory {
    private static final MethodHandle ALIGNED_ALLOC;
    private static final MethodHandle FREE;

    static {
        Linker linker = Linker.nativeLinker();
        ALIGNED_ALLOC = linker.downcallHandle(linker.defaultLookup().find("aligned_alloc").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
        FREE = linker.downcallHandle(linker.defaultLookup().find("free").orElseThrow(),
                FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    }

    /**
     * The blocks behind {@link #allocateCollected}, created at its first use (the budget reads the JVM's
     * management beans, which plain {@link #allocate}/{@link #free} users need not load).
     */
    private static final class Collected {
        static final CollectedBlocks BLOCKS = new CollectedBlocks(HostMemory.poolBudget());
    }

    private NativeMemory() {
    }

    /**
     * {@code bytes} (> 0) of uninitialised memory, or null when the C allocator refuses; the caller frees it
     * with {@link #free}.
     */
    public static MemorySegment allocate(long bytes) {
        long rounded = (bytes + Tensor.ALIGNMENT - 1) / Tensor.ALIGNMENT * Tensor.ALIGNMENT;
        MemorySegment p;
        try {
            p = (MemorySegment) ALIGNED_ALLOC.invokeExact(Tensor.ALIGNMENT, rounded);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return p.address() == 0 ? null : p.reinterpret(bytes);
    }

    /**
     * {@code bytes} (> 0) of uninitialised memory given back by the garbage collector's cleaner once the
     * returned segment is unreachable, or null when the C allocator refuses. Blocks of 1 MiB and more are kept
     * for the next request of their size (see {@link CollectedBlocks}: such a block may hold an earlier result,
     * so the caller overwrites every byte it exposes). Until released it counts in {@link #collectedBytes()},
     * and once kept in {@link #pooledBytes()}; {@link HostMemory} charges both to the JVM's direct-memory limit
     * as it does arena memory, so that unreachable blocks are collected before the limit is passed.
     */
    public static MemorySegment allocateCollected(long bytes) {
        return Collected.BLOCKS.allocate(bytes);
    }

    /** Bytes allocated by {@link #allocateCollected} whose segments are not yet released by the cleaner. */
    public static long collectedBytes() {
        return Collected.BLOCKS.liveBytes();
    }

    /** Bytes of released {@link #allocateCollected} blocks kept for reuse (at most {@link HostMemory#poolBudget()}). */
    public static long pooledBytes() {
        return Collected.BLOCKS.pooledBytes();
    }

    /** Frees every block kept for reuse (as {@link HostMemory} does before it reports memory as short). */
    static long trimPool() {
        return Collected.BLOCKS.trim();
    }

    /** Returns memory from {@link #allocate} (any view starting at its first byte) to the C allocator. */
    public static void free(MemorySegment segment) {
        try {
            FREE.invokeExact(MemorySegment.ofAddress(segment.address()));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
