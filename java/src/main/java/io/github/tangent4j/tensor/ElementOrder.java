package io.github.tangent4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Turns element data as a file stores it into what a {@link Tensor} holds: little-endian bytes, row-major
 * (C) order, booleans as 0 or 1.
 */
final class ElementOrder {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private ElementOrder() {
    }

    /** Reverses the bytes of every element of {@code data} (elements of {@code elementSize} bytes) in place. */
    static void swapBytes(MemorySegment data, int elementSize) {
        long n = data.byteSize();
        switch (elementSize) {
            case 1 -> { }
            case 4 -> {
                for (long off = 0; off < n; off += 4) {
                    data.set(INT, off, Integer.reverseBytes(data.get(INT, off)));
                }
            }
            case 8 -> {
                for (long off = 0; off < n; off += 8) {
                    data.set(LONG, off, Long.reverseBytes(data.get(LONG, off)));
                }
            }
            default -> throw new IllegalArgumentException("elementSize: expected 1, 4 or 8 but was " + elementSize);
        }
    }

    /**
     * Copies Fortran-ordered (column-major) elements of an array of {@code shape} into {@code dst}, which
     * holds the same array in C order. {@code src} and {@code dst} have the same byte size.
     */
    static void fortranToC(MemorySegment src, MemorySegment dst, long[] shape, int elementSize) {
        int rank = shape.length;
        long count = src.byteSize() / elementSize;
        if (rank <= 1 || count == 0) {
            dst.copyFrom(src);
            return;
        }
        // Column-major stride of axis j: the product of the dimensions before it.
        long[] stride = new long[rank];
        long s = 1;
        for (int j = 0; j < rank; j++) {
            stride[j] = s;
            s *= shape[j];
        }
        long[] index = new long[rank];
        long srcElement = 0;
        for (long dstElement = 0; dstElement < count; dstElement++) {
            copyElement(src, srcElement * elementSize, dst, dstElement * elementSize, elementSize);
            // Advance the row-major index odometer, keeping srcElement in step.
            for (int j = rank - 1; j >= 0; j--) {
                if (++index[j] < shape[j]) {
                    srcElement += stride[j];
                    break;
                }
                srcElement -= stride[j] * (shape[j] - 1);
                index[j] = 0;
            }
        }
    }

    private static void copyElement(MemorySegment src, long srcOff, MemorySegment dst, long dstOff, int size) {
        switch (size) {
            case 1 -> dst.set(ValueLayout.JAVA_BYTE, dstOff, src.get(ValueLayout.JAVA_BYTE, srcOff));
            case 4 -> dst.set(INT, dstOff, src.get(INT, srcOff));
            case 8 -> dst.set(LONG, dstOff, src.get(LONG, srcOff));
            default -> throw new IllegalArgumentException("elementSize: expected 1, 4 or 8 but was " + size);
        }
    }

    /** Index of the first byte of {@code data} that is neither 0 nor 1, or -1 if all are booleans. */
    static long firstNonBoolean(MemorySegment data) {
        long n = data.byteSize();
        for (long i = 0; i < n; i++) {
            byte b = data.get(ValueLayout.JAVA_BYTE, i);
            if ((b & ~1) != 0) {
                return i;
            }
        }
        return -1;
    }
}
