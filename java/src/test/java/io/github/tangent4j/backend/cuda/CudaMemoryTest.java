package io.github.tangent4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.BackendException;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.DeviceOutOfMemoryException;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CUDA backend's memory on the emulation: the stream-ordered pool (reuse, trim and retry on
 * out of memory, the fallback without pools), zero-filling only when asked, and the pinned
 * staging of transfers (reuse, chunking, failures), each checked with the emulation's counters.
 */
@ExtendWith(EmuLeakCheck.class)
class CudaMemoryTest {
    /** The live allocations and handles when the test starts (after {@link EmuLeakCheck}'s reset). */
    private int allocations;
    private int handles;

    @BeforeEach
    void baseline() {
        allocations = Emu.liveAllocations();
        handles = Emu.liveHandles();
    }

    private static CudaBackend backend(long stagingBytes) {
        return new CudaBackend(new CudaBackend.Options(0, false, stagingBytes));
    }

    @Test
    void aFreedBlockServesTheNextAllocationOfTheSameSize() {
        try (CudaBackend b = new CudaBackend()) {
            long fresh = Emu.deviceAllocCount();
            b.allocateUninitialised(DType.F64, 100, 100).close();
            assertEquals(fresh + 1, Emu.deviceAllocCount());
            assertEquals(1, Emu.poolCachedBlocks(), "kept by the pool across the free");
            long available = b.availableMemory();
            for (int i = 0; i < 5; i++) { // a forward pass's per-layer temporaries
                b.allocateUninitialised(DType.F64, 100, 100).close();
                b.allocate(DType.F32, 100, 200).close(); // the same bytes
            }
            assertEquals(fresh + 1, Emu.deviceAllocCount(), "no new device memory after the first");
            assertEquals(available, b.availableMemory(), "cached blocks count as available");
            try (DeviceMatrix m = b.allocateUninitialised(DType.F64, 100, 100);
                 DeviceMatrix larger = b.allocateUninitialised(DType.F64, 300, 100)) {
                assertEquals(fresh + 2, Emu.deviceAllocCount(), "the cached block was taken, a larger one is new");
                assertEquals(allocations + 2, Emu.liveAllocations());
            }
        }
        assertEquals(0, Emu.poolCachedBlocks(), "close trims the pool");
    }

    @Test
    void allocateZeroFillsWithOneMemsetAndAllocateUninitialisedWithNone() {
        try (CudaBackend b = new CudaBackend()) {
            long memsets = Emu.memsetCount();
            DeviceMatrix u = b.allocateUninitialised(DType.F64, 7, 9);
            assertEquals(memsets, Emu.memsetCount(), "no memset for an uninitialised matrix");
            assertTrue(Double.isNaN(b.download(u).getFlat(0)), "the emulation's fresh memory is NaN, not zeros");
            u.close();
            DeviceMatrix z = b.allocate(DType.F64, 7, 9); // reuses u's block, which holds garbage
            assertEquals(memsets + 1, Emu.memsetCount());
            for (double x : b.download(z).toDoubleArray()) {
                assertEquals(0.0, x);
            }
        }
    }

    @Test
    void outOfMemoryTrimsThePoolAndRetriesOnce() {
        Emu.setMemoryBudget(1 << 20);
        try (CudaBackend b = new CudaBackend()) {
            b.allocateUninitialised(DType.F64, 600, 128).close(); // 600 KiB, now cached by the pool
            assertEquals(1, Emu.poolCachedBlocks());
            // 700 KiB does not fit beside the cached block and cannot reuse it: trim, then it fits
            DeviceMatrix big = b.allocateUninitialised(DType.F64, 700, 128);
            assertEquals(0, Emu.poolCachedBlocks(), "trimmed");
            // nothing cached: no retry, the failure is reported with the request
            DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class,
                    () -> b.allocateUninitialised(DType.F64, 400, 128));
            assertTrue(e.getMessage().startsWith("cudaMallocAsync(409600 bytes) failed: cudaErrorMemoryAllocation (2)"),
                    e.getMessage());
            assertEquals(409600, e.requestedBytes());
            // cached, but even after trimming there is not enough: one retry, then the exception
            b.allocateUninitialised(DType.F64, 100, 128).close();
            assertEquals(1, Emu.poolCachedBlocks());
            assertThrows(DeviceOutOfMemoryException.class, () -> b.allocateUninitialised(DType.F64, 400, 128));
            assertEquals(0, Emu.poolCachedBlocks());
            big.close();
            assertEquals(0, b.openAllocations());
            b.allocate(DType.F64, 400, 128).close();
        }
    }

    @Test
    void anInjectedFailureIsRetriedAfterTrimmingWhenThePoolHeldBlocks() {
        try (CudaBackend b = new CudaBackend()) {
            b.allocateUninitialised(DType.F32, 10, 10).close();
            Emu.failAllocAt(1);
            long fresh = Emu.deviceAllocCount();
            try (DeviceMatrix m = b.allocateUninitialised(DType.F32, 100, 100)) {
                assertEquals(0, Emu.poolCachedBlocks(), "the failure trimmed the pool");
                assertEquals(fresh + 1, Emu.deviceAllocCount(), "the retry got new memory");
            }
        }
    }

    @Test
    void aDeviceWithoutPoolsUsesCudaMalloc() {
        Emu.setMemoryPoolsSupported(0);
        try (CudaBackend b = new CudaBackend()) {
            long fresh = Emu.deviceAllocCount();
            for (int i = 0; i < 3; i++) {
                b.allocate(DType.F64, 10, 10).close();
            }
            assertEquals(fresh + 3, Emu.deviceAllocCount(), "every allocation is a cudaMalloc");
            assertEquals(0, Emu.poolCachedBlocks());
            DeviceMatrix m = b.upload(Tensor.of(new double[] {1, -2, 3}, 1, 3));
            assertArrayEquals(new double[] {1, -2, 3}, b.download(m).toDoubleArray());
            Emu.failAllocAt(1);
            DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class,
                    () -> b.allocate(DType.F32, 4, 4));
            assertTrue(e.getMessage().startsWith("cudaMalloc(64 bytes) failed"), e.getMessage());
        }
    }

    @Test
    void pinnedStagingIsAllocatedOnceAtTheFirstTransferAndFreedOnClose() {
        long pinned = Emu.hostAllocCount();
        try (CudaBackend b = backend(1000)) {
            b.allocate(DType.F64, 3, 3).close();
            assertEquals(0, Emu.liveHostAllocations(), "nothing pinned before a transfer");
            for (int i = 0; i < 4; i++) {
                try (DeviceMatrix m = b.upload(random(DType.F64, 40, 30, i))) {
                    b.download(m);
                    b.signBits(m);
                }
            }
            assertEquals(pinned + 1, Emu.hostAllocCount(), "one cudaMallocHost for every transfer");
            assertEquals(1, Emu.liveHostAllocations());
        }
        assertEquals(0, Emu.liveHostAllocations(), "freed on close");
    }

    /** Chunk sizes that split elements across chunks (7, 1000) and one larger than every transfer. */
    @ParameterizedTest
    @ValueSource(longs = {7, 1000, 1 << 20})
    void chunkedTransfersAreBitExact(long stagingBytes) {
        try (CudaBackend b = backend(stagingBytes)) {
            for (DType dtype : new DType[] {DType.F32, DType.F64}) {
                Tensor host = random(dtype, 37, 53, stagingBytes);
                long bytes = host.segment().byteSize();
                long copies = Emu.copyCount();
                try (DeviceMatrix m = b.upload(host); DeviceMatrix other = b.allocateUninitialised(dtype, 37, 53)) {
                    assertEquals(copies + chunks(bytes, stagingBytes), Emu.copyCount(), "one copy per chunk");
                    // the compute stream sees the upload (the emulation runs queued copies only when waited for)
                    b.copy(m, other);
                    assertSameBits(host, b.download(other));
                    Tensor back = b.download(m);
                    assertSameBits(host, back);
                    // a heap segment as source and destination
                    byte[] heap = new byte[(int) bytes];
                    MemorySegment.ofArray(heap).copyFrom(host.segment());
                    Tensor onHeap = Tensor.wrap(MemorySegment.ofArray(heap), dtype, 37, 53);
                    b.upload(onHeap, m);
                    Tensor heapBack = Tensor.wrap(MemorySegment.ofArray(new byte[(int) bytes]), dtype, 37, 53);
                    b.download(m, heapBack);
                    assertSameBits(host, heapBack);
                    // views: rows [5, 22) into and out of the middle of the matrix
                    Tensor rows = random(dtype, 17, 53, stagingBytes + 1);
                    DeviceMatrix view = m.rows(5, 22);
                    b.upload(rows, view);
                    assertSameBits(rows, b.download(view));
                    Tensor whole = b.download(m);
                    assertSameBits(host.slice(0, 5), whole.slice(0, 5));
                    assertSameBits(rows, whole.slice(5, 22));
                    assertSameBits(host.slice(22, 37), whole.slice(22, 37));
                }
            }
        }
    }

    @Test
    void aNewMatrixIsUploadedWithoutWaitingForTheComputeStreamAndAnExistingOneAfterIt() {
        try (CudaBackend b = backend(1000)) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
                assertEquals(CudaRuntime.CUDA_SUCCESS, CudaRuntime.cudaDeviceGetDefaultMemPool(out, 0));
                MemorySegment pool = out.get(ValueLayout.ADDRESS, 0);
                out.set(ValueLayout.JAVA_INT, 0, 1);
                assertEquals(CudaRuntime.CUDA_SUCCESS, CudaRuntime.cudaMemPoolGetAttribute(pool,
                        CudaRuntime.MEM_POOL_REUSE_ALLOW_INTERNAL_DEPENDENCIES, out));
                assertEquals(0, out.get(ValueLayout.JAVA_INT, 0), "no waits inserted by the pool between the streams");
            }
            Tensor host = random(DType.F64, 37, 53, 3);
            b.upload(host).close(); // creates the copy stream and the staging
            long waits = Emu.streamWaitCount();
            try (DeviceMatrix m = b.upload(host)) {
                assertEquals(waits + 1, Emu.streamWaitCount(), "only the compute stream waits (for the copies)");
                b.upload(host, m);
                assertEquals(waits + 3, Emu.streamWaitCount(), "into an existing matrix the copies wait too");
                assertSameBits(host, b.download(m));
            }
        }
    }

    @Test
    void chunksLargerThanAPartAreCopiedOnSeveralThreadsBitExact() {
        long staging = 3 * PinnedStaging.PART + 5; // 3 parts and a few bytes per chunk
        try (CudaBackend b = backend(staging)) {
            Tensor host = random(DType.F32, 1001, 1801, 11); // 7.2 MB: 3 chunks, the last one short
            try (DeviceMatrix m = b.upload(host)) {
                assertSameBits(host, b.download(m));
                try (Arena confined = Arena.ofConfined()) { // copied by this thread alone
                    Tensor mine = Tensor.allocate(confined, DType.F32, 1001, 1801);
                    b.download(m, mine);
                    assertSameBits(host, mine);
                    b.upload(mine, m);
                    assertSameBits(host, b.download(m));
                }
            }
        }
    }

    @Test
    void aCopyFailingMidTransferThrowsNamesTheChunkAndLeavesNothingBehind() {
        try (CudaBackend b = backend(1000)) {
            Tensor host = random(DType.F64, 10, 125, 1); // 10 000 bytes: 10 chunks
            Emu.failCopyAt(3, 719);
            BackendException up = assertThrows(BackendException.class, () -> b.upload(host));
            assertTrue(up.getMessage().startsWith("cudaMemcpyAsync(host to device, chunk 2 of 10) failed: "
                    + "cudaErrorLaunchFailure (719)"), up.getMessage());
            assertEquals(0, b.openAllocations(), "the failed upload's matrix was freed");
            assertEquals(allocations, Emu.liveAllocations());
            try (DeviceMatrix m = b.upload(host)) {
                Tensor before = b.download(m);
                Emu.failCopyAt(5, 719);
                Tensor dst = Tensor.allocate(DType.F64, 10, 125);
                BackendException down = assertThrows(BackendException.class, () -> b.download(m, dst));
                assertTrue(down.getMessage().startsWith("cudaMemcpyAsync(device to host, chunk 4 of 10) failed"),
                        down.getMessage());
                assertSameBits(host, before);
                assertSameBits(host, b.download(m)); // the backend still works
            }
        }
    }

    @Test
    void pinnedMemoryThatCannotBeAllocatedIsReportedAndRetriedAtTheNextTransfer() {
        try (CudaBackend b = backend(4096)) {
            Tensor host = random(DType.F32, 3, 5, 2);
            int before = Emu.liveHandles();
            Emu.failHostAllocAt(1);
            BackendException e = assertThrows(BackendException.class, () -> b.upload(host));
            assertTrue(e.getMessage().startsWith("cudaMallocHost(8192 bytes of pinned staging memory) failed"),
                    e.getMessage());
            assertEquals(0, Emu.liveHostAllocations());
            assertEquals(before, Emu.liveHandles(), "the copy stream and events were destroyed");
            assertEquals(0, b.openAllocations());
            try (DeviceMatrix m = b.upload(host)) {
                assertSameBits(host, b.download(m));
            }
        }
    }

    @Test
    void closeFreesMatricesCachedBlocksPinnedMemoryAndHandles() {
        CudaBackend b = backend(512);
        DeviceMatrix kept = b.upload(random(DType.F64, 20, 20, 3));
        b.allocate(DType.F32, 50, 50).close();
        b.download(kept);
        b.allocateUninitialised(DType.F64, 9, 9);
        assertTrue(Emu.poolCachedBlocks() > 0);
        assertEquals(1, Emu.liveHostAllocations());
        b.close();
        assertTrue(kept.isClosed());
        assertEquals(allocations, Emu.liveAllocations());
        assertEquals(0, Emu.poolCachedBlocks());
        assertEquals(0, Emu.liveHostAllocations());
        assertEquals(handles, Emu.liveHandles());
        b.close(); // harmless twice
    }

    @Test
    void stagingBytesMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CudaBackend.Options(0, false, 0));
        assertEquals("stagingBytes: expected >= 1 but was 0", e.getMessage());
        assertEquals(CudaBackend.Options.DEFAULT_STAGING_BYTES, new CudaBackend.Options(0, false).stagingBytes());
        assertFalse(new CudaBackend.Options(1, false).tf32());
        String old = System.getProperty(CudaBackend.STAGING_PROPERTY);
        try {
            System.setProperty(CudaBackend.STAGING_PROPERTY, "4096");
            assertEquals(4096, CudaBackend.Options.fromSystemProperties().stagingBytes());
            System.setProperty(CudaBackend.STAGING_PROPERTY, "8M");
            e = assertThrows(IllegalArgumentException.class, CudaBackend.Options::fromSystemProperties);
            assertEquals("-Dtangent4j.cuda.stagingBytes: expected a byte count >= 1 but was '8M'", e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty(CudaBackend.STAGING_PROPERTY);
            } else {
                System.setProperty(CudaBackend.STAGING_PROPERTY, old);
            }
        }
    }

    private static long chunks(long bytes, long chunk) {
        return (bytes + chunk - 1) / chunk;
    }

    /** Random bit patterns: every value, NaN payloads, signed zeros and subnormals included. */
    private static Tensor random(DType dtype, long rows, long cols, long seed) {
        Tensor t = Tensor.allocate(dtype, rows, cols);
        SplittableRandom rnd = new SplittableRandom(seed);
        MemorySegment s = t.segment();
        for (long i = 0; i < s.byteSize(); i += 8) {
            long bits = rnd.nextLong();
            for (int k = 0; k < 8 && i + k < s.byteSize(); k++) {
                s.set(ValueLayout.JAVA_BYTE, i + k, (byte) (bits >>> (8 * k)));
            }
        }
        return t;
    }

    private static void assertSameBits(Tensor expected, Tensor actual) {
        assertEquals(-1, expected.segment().mismatch(actual.segment()), "bit for bit");
    }
}
