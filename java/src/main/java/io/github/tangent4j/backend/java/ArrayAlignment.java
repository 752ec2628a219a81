package io.github.tangent4j.backend.java;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Where a Java array's elements lie in memory now, and how many elements to skip so that the next one starts on a
 * 64-byte boundary (one cache line, one AVX-512 vector).
 *
 * <p>The GEMM micro-kernels load whole vectors from their packed B panels. An array's data starts 16 bytes after
 * its header, at an address the garbage collector picks (8-byte granular) and may change, so unless the panels
 * start where the address says, every 64-byte load from them splits two cache lines: 8-17% of the pure-Java
 * GEMM's time on a Sapphire Rapids class Xeon, the "one JVM in six" that ran faster being the one whose buffer
 * happened to be aligned (bench/RESULTS.md, 2026-12-05 16:01, branch gemm4). Native memory would be aligned for
 * good, but C2 compiled the kernels' loads from a native segment 5-8% slower than from an array (same source).
 *
 * <p>The address is read by a critical downcall ({@link Linker.Option#critical(boolean)} with heap access) of
 * the C library's {@code memmove(p, p, 0)}, which returns its first argument and moves nothing: the garbage
 * collector cannot move the array during the call. It may move it later, so callers ask again for each
 * product; an array moved during one product costs that product time, never correctness. Without native access
 * for this module ({@code --enable-native-access}) the arrays are used as they lie, as before.
 */
final class ArrayAlignment {
    /** The alignment sought, in bytes. */
    static final int BYTES = 64;
    private static final MethodHandle MEMMOVE = bind();

    private ArrayAlignment() {
    }

    private static MethodHandle bind() {
        if (!ArrayAlignment.class.getModule().isNativeAccessEnabled()) {
            return null; // a downcall would print the JDK's warning about restricted methods: arrays as they lie
        }
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("memmove").map(a -> linker.downcallHandle(a,
                    FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG), Linker.Option.critical(true)))
                    .orElse(null);
        } catch (RuntimeException e) {
            return null; // no C library: the arrays are used as they lie
        }
    }

    /** The address of element 0 of {@code array} now, or -1 where it cannot be read. */
    static long address(float[] array) {
        return address(MemorySegment.ofArray(array));
    }

    /** The address of element 0 of {@code array} now, or -1 where it cannot be read. */
    static long address(double[] array) {
        return address(MemorySegment.ofArray(array));
    }

    /**
     * How many elements of {@code array} to skip so that the next one starts on a {@link #BYTES}-byte boundary
     * (0 to 15), 0 where the address cannot be read.
     */
    static int shift(float[] array) {
        return shift(address(array), Float.BYTES);
    }

    /**
     * How many elements of {@code array} to skip so that the next one starts on a {@link #BYTES}-byte boundary
     * (0 to 7), 0 where the address cannot be read.
     */
    static int shift(double[] array) {
        return shift(address(array), Double.BYTES);
    }

    private static int shift(long address, int elementBytes) {
        return address < 0 ? 0 : (int) (Math.floorMod(-address, (long) BYTES) / elementBytes);
    }

    private static long address(MemorySegment heap) {
        if (MEMMOVE == null) {
            return -1;
        }
        try {
            return ((MemorySegment) MEMMOVE.invokeExact(heap, heap, 0L)).address();
        } catch (Throwable e) {
            throw new IllegalStateException("memmove(p, p, 0) failed on a Java array", e);
        }
    }
}
