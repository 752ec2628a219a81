package io.github.tangent4j.tensor;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How much host memory a new array may take, checked before large allocations so that an array that
 * cannot fit ends in an {@link InsufficientMemoryException} naming it, not in an {@link OutOfMemoryError}
 * or the operating system's out-of-memory killer.
 *
 * <p>Two limits apply to memory from an {@link java.lang.foreign.Arena} (which is how {@link Tensor}
 * allocates) and to the C allocator's blocks behind {@link Tensor#allocateUninitialised} (those in use and those
 * kept for reuse, {@link #poolBudget()}): the physical memory the machine has available ({@code MemAvailable} of
 * {@code /proc/meminfo}: free memory plus reclaimable caches; in a container, the container's free memory),
 * and the JVM's direct-memory limit ({@code -XX:MaxDirectMemorySize}, by default the maximum heap size,
 * a quarter of the RAM). The {@code tangent4j} launcher lifts the second to the machine's RAM.
 */
public final class HostMemory {
    /** Allocations below this many bytes are not checked (the check costs a file read). */
    static final long CHECK_FROM_BYTES = 64L << 20;

    private HostMemory() {
    }

    /**
     * Bytes of physical memory available for new allocations: {@code MemAvailable} on Linux (or the
     * container's free memory when the JVM sees a smaller container limit), else the free memory the JVM
     * reports.
     */
    public static long availablePhysical() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        long jvmFree = Long.MAX_VALUE;
        long jvmTotal = Long.MAX_VALUE;
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            jvmFree = sun.getFreeMemorySize();
            jvmTotal = sun.getTotalMemorySize();
        }
        long memTotal = meminfo("MemTotal:");
        long memAvailable = meminfo("MemAvailable:");
        if (memAvailable < 0 || memTotal < 0) {
            return jvmFree;
        }
        // A container limit below the machine's RAM: the JVM's figure is the container's.
        return jvmTotal < memTotal ? Math.min(jvmFree, memAvailable) : memAvailable;
    }

    /** The JVM's direct-memory limit in bytes (what {@code -XX:MaxDirectMemorySize} resolves to). */
    public static long directLimit() {
        try {
            String v = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("MaxDirectMemorySize").getValue();
            long limit = Long.parseLong(v);
            return limit > 0 ? limit : Runtime.getRuntime().maxMemory();
        } catch (RuntimeException e) {
            return Runtime.getRuntime().maxMemory();
        }
    }

    /**
     * Bytes of direct memory in use: arena segments and direct buffers (the JVM's count) and the
     * uninitialised tensors' memory from the C allocator, in use or kept for reuse
     * ({@link NativeMemory#collectedBytes()}, {@link NativeMemory#pooledBytes()}).
     */
    public static long directUsed() {
        long used = NativeMemory.collectedBytes() + NativeMemory.pooledBytes();
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return used + pool.getMemoryUsed();
            }
        }
        return used;
    }

    /**
     * The most bytes of released uninitialised-tensor blocks kept for reuse ({@link NativeMemory#allocateCollected}):
     * the system property {@code tangent4j.host.poolBytes} (0 keeps none), by default a quarter of the
     * physical memory and at most half the direct-memory limit (a quarter, so that the F64 parameter Jacobian of
     * the benchmarks, 3.4 GB, is kept on a 24 GB machine: at an eighth it was freed and faulted in again per call).
     */
    public static long poolBudget() {
        String p = System.getProperty("tangent4j.host.poolBytes");
        if (p != null) {
            try {
                long v = Long.parseLong(p.trim());
                if (v >= 0) {
                    return v;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the default, as documented
            }
            System.getLogger(HostMemory.class.getName()).log(System.Logger.Level.WARNING,
                    "tangent4j.host.poolBytes must be a byte count >= 0 but was '" + p + "'; using the default");
        }
        long total = meminfo("MemTotal:");
        return Math.min(total > 0 ? total / 4 : 0, directLimit() / 2);
    }

    /**
     * Checks that {@code bytes} more bytes of arena memory fit, for the array {@code what}. When they do
     * not, the blocks kept for reuse are freed, unreachable tensors are collected ({@link System#gc()}) and
     * the check repeated while their memory is being released (about half a second at most).
     *
     * @throws InsufficientMemoryException naming {@code what}, the bytes needed and the bytes available
     */
    public static void checkAllocatable(long bytes, String what) {
        if (bytes < CHECK_FROM_BYTES) {
            return;
        }
        String problem = problem(bytes);
        if (problem != null && NativeMemory.trimPool() > 0) {
            problem = problem(bytes);
        }
        if (problem != null) {
            // Unreachable arena memory is freed by a cleaner thread some time after the collection: retry
            // with growing pauses (about half a second in all), as the JDK's own direct-memory reservation does.
            System.gc();
            for (long pause = 1; problem != null && pause <= 256; pause *= 2) {
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                NativeMemory.trimPool();   // what the cleaner has given back so far
                problem = problem(bytes);
            }
        }
        if (problem != null) {
            throw new InsufficientMemoryException(what + " needs " + format(bytes) + " but " + problem, bytes);
        }
    }

    private static String problem(long bytes) {
        long physical = availablePhysical();
        if (bytes > physical) {
            return "only " + format(physical) + " of memory is available";
        }
        long limit = directLimit();
        long headroom = limit - directUsed();
        if (bytes > headroom) {
            return "the JVM's direct-memory limit is " + format(limit) + " (" + format(Math.max(0, headroom))
                    + " unused); raise it with -XX:MaxDirectMemorySize (the tangent4j launcher sets it to the RAM size)";
        }
        return null;
    }

    /** {@code bytes} as "N bytes (X.Y GiB)". */
    static String format(long bytes) {
        return String.format(Locale.ROOT, "%d bytes (%.1f GiB)", bytes, bytes / (double) (1L << 30));
    }

    /** A {@code /proc/meminfo} field in bytes, or -1 when unknown. */
    private static long meminfo(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith(key)) {
                    String[] parts = line.substring(key.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * (parts.length > 1 && parts[1].equals("kB") ? 1024 : 1);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
