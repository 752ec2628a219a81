package io.github.tangent4j.cli;

import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.HostMemory;
import io.github.tangent4j.tensor.Shapes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The size checks every subcommand makes from the input headers and its options, before it reads or
 * scans any input (issue 26, D3 and D5): an output must fit on its file system, and an output computed in
 * memory must also fit in the memory available. A refusal names the option, the file, the bytes needed
 * and the bytes free. Sizes saturate at {@link Long#MAX_VALUE} instead of overflowing.
 */
final class Room {
    private Room() {
    }

    /** Bytes of an array of {@code type} and {@code shape}, saturated at {@link Long#MAX_VALUE}. */
    static long bytes(DType type, long... shape) {
        long n = type.byteSize();
        for (long d : shape) {
            if (d == 0) {
                return 0;
            }
        }
        for (long d : shape) {
            n = times(n, d);
        }
        return n;
    }

    /** {@code a * b} for non-negative values, saturated at {@link Long#MAX_VALUE}. */
    static long times(long a, long b) {
        return b != 0 && a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
    }

    /** {@code a + b} for non-negative values, saturated at {@link Long#MAX_VALUE}. */
    static long plus(long a, long b) {
        return a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b;
    }

    /** "the output F64 (N, O)" */
    static String output(DType type, long... shape) {
        return "the output " + type + " " + Shapes.format(shape);
    }

    /**
     * Refuses {@code bytes} for the file {@code out} (the value of {@code option}; {@code what} says what it
     * holds) when its file system has less free space.
     *
     * @throws IllegalArgumentException naming the option, the file, the bytes needed and free
     */
    static void checkDisk(Path out, String option, long bytes, String what) {
        if (out == null || bytes == 0) {
            return;
        }
        long free;
        try {
            Path target = Files.isSymbolicLink(out) ? out.toRealPath() : out.toAbsolutePath();
            free = Files.getFileStore(target.getParent()).getUsableSpace();
        } catch (IOException | RuntimeException e) {
            return;   // the output checks and the write itself report an unusable folder
        }
        if (bytes > free) {
            throw new IllegalArgumentException(option + " " + out + ": " + what + " needs " + format(bytes)
                    + " but its file system has " + format(free) + " free; expected an output that fits (free"
                    + " some space, write elsewhere, or use less data)");
        }
    }

    /**
     * Refuses {@code bytes} of memory for {@code what} when they are not available ({@link HostMemory}).
     *
     * @throws io.github.tangent4j.tensor.InsufficientMemoryException naming {@code what}, the bytes needed
     *                                                                and available
     */
    static void checkMemory(long bytes, String what) {
        HostMemory.checkAllocatable(bytes, what);
    }

    /** "N bytes (X.Y GiB)", or "more than 9.2e18 bytes" when saturated. */
    static String format(long bytes) {
        if (bytes == Long.MAX_VALUE) {
            return "more than " + Long.MAX_VALUE + " bytes";
        }
        return String.format(Locale.ROOT, "%d bytes (%.1f GiB)", bytes, bytes / (double) (1L << 30));
    }
}
