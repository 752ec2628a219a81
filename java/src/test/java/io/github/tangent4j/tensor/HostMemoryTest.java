package io.github.tangent4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostMemoryTest {
    @TempDir
    Path dir;

    @Test
    void anArrayLargerThanTheMachineIsRefusedBeforeAllocatingNamingItAndItsBytes() {
        long rows = 1L << 40;   // 8 TiB of F64
        InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class,
                () -> Tensor.allocate(DType.F64, rows));
        assertEquals(8L << 40, e.bytes());
        assertTrue(e.getMessage().startsWith("array F64 (" + rows + ",) needs " + (8L << 40) + " bytes"), e.getMessage());
    }

    @Test
    void theLimitsAreThoseOfThisMachineAndJvm() throws IOException {
        long available = HostMemory.availablePhysical();
        assertTrue(available > 0 && available < Long.MAX_VALUE, "available " + available);
        long expected = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-XX:MaxDirectMemorySize=")).findFirst().map(a -> -1L)
                .orElse(Runtime.getRuntime().maxMemory());
        if (expected > 0) {   // the default: the maximum heap size
            assertEquals(expected, HostMemory.directLimit());
        }
        if (Files.isReadable(Path.of("/proc/meminfo"))) {
            long total = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).findFirst().orElseThrow();
            assertTrue(available <= total, available + " > MemTotal " + total);
        }
    }

    /**
     * Memory of uninitialised tensors (from the C allocator, freed by a cleaner) counts towards the
     * direct-memory limit until collected, so a loop of large results cannot grow past the limit unchecked.
     */
    @Test
    void uninitialisedTensorsCountTowardsTheDirectLimitUntilCollected() throws InterruptedException {
        // earlier tests' dropped blocks released first, so that no release races the counts below
        for (long was = -1; NativeMemory.collectedBytes() != was; Thread.sleep(20)) {
            was = NativeMemory.collectedBytes();
            System.gc();
        }
        long before = NativeMemory.collectedBytes();
        Tensor kept = Tensor.allocateUninitialised(DType.F64, 1 << 20); // 8 MiB
        assertEquals(before + (8L << 20), NativeMemory.collectedBytes());
        assertTrue(HostMemory.directUsed() >= NativeMemory.collectedBytes());
        // Untouched memory (no physical pages) up to 32 MiB under the limit: 64 MiB more cannot fit,
        // even after every unreachable block is collected.
        long hold = HostMemory.directLimit() - (40L << 20);
        MemorySegment held = NativeMemory.allocateCollected(hold);
        InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class,
                () -> Tensor.allocateUninitialised(DType.F64, 8L << 20));
        assertTrue(e.getMessage().contains("MaxDirectMemorySize"), e.getMessage());
        assertEquals(hold, held.byteSize());
        held = null;
        for (int i = 0; i < 100 && NativeMemory.collectedBytes() > before + (8L << 20); i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertTrue(NativeMemory.collectedBytes() <= before + (8L << 20), "freed by the cleaner once unreachable");
        assertEquals(8L << 23, Tensor.allocateUninitialised(DType.F64, 8L << 20).byteSize());
        assertEquals(8L << 20, kept.byteSize());
    }

    @Test
    void anArrayOverTheDirectMemoryLimitNamesTheLimitAndTheFileItComesFrom() throws IOException {
        // A sparse .npy one GiB over this JVM's direct-memory limit (no disk space used).
        long rows = (HostMemory.directLimit() + (1L << 30)) / 8;
        Path big = dir.resolve("big.npy");
        byte[] header = NpyHeader.encode(DType.F64, new long[] {rows, 1});
        try (var ch = java.nio.channels.FileChannel.open(big, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(header));
            ch.position(header.length + 8 * rows - 1).write(java.nio.ByteBuffer.wrap(new byte[1]));
        }
        InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class, () -> Npy.read(big));
        assertTrue(e.getMessage().startsWith(big + ": array F64 (" + rows + ", 1) needs " + 8 * rows + " bytes"),
                e.getMessage());
        // Over the direct-memory limit, or (on a machine with little free memory) over what is available.
        assertTrue(e.getMessage().contains("MaxDirectMemorySize") || e.getMessage().contains("of memory is available"),
                e.getMessage());
    }
}
