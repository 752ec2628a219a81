package io.github.tangent4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * Blocks of garbage-collected uninitialised memory: released by the cleaner into the pool once unreachable and
 * handed out again to the next request of their class, with the bytes accounted live, then pooled, then zero;
 * a request that finds the pool empty after enough has been handed out collects the dropped blocks itself.
 * Each test has its own instance; the blocks are large but never touched (no physical memory).
 */
class CollectedBlocksTest {
    private static final long BLOCK = 48L << 20;

    @Test
    void aDroppedBlockIsReusedForItsClassAndTheAccountingReturnsToZero() throws InterruptedException {
        CollectedBlocks blocks = new CollectedBlocks(1L << 30);
        MemorySegment s = blocks.allocate(BLOCK - 1000);
        assertEquals(BLOCK - 1000, s.byteSize());
        assertEquals(0, s.address() % Tensor.ALIGNMENT);
        long address = s.address();
        assertEquals(BLOCK, blocks.liveBytes());
        s = null;
        awaitZero(blocks::liveBytes);
        assertEquals(BLOCK, blocks.pooledBytes());
        MemorySegment again = blocks.allocate(BLOCK - 2000);   // the same class
        assertEquals(address, again.address());
        assertEquals(BLOCK, blocks.liveBytes());
        assertEquals(0, blocks.pooledBytes());
        again = null;
        awaitZero(blocks::liveBytes);
        assertEquals(BLOCK, blocks.trim());
        assertEquals(0, blocks.pooledBytes());
    }

    @Test
    void withoutABudgetNothingIsKept() throws InterruptedException {
        CollectedBlocks blocks = new CollectedBlocks(0);
        MemorySegment s = blocks.allocate(BLOCK);
        assertNotNull(s);
        s = null;
        awaitZero(blocks::liveBytes);
        assertEquals(0, blocks.pooledBytes());
    }

    @Test
    void smallBlocksGoBackToTheCAllocator() throws InterruptedException {
        CollectedBlocks blocks = new CollectedBlocks(1L << 30);
        MemorySegment s = blocks.allocate(CollectedBlocks.POOL_FROM_BYTES - 64);
        assertEquals(CollectedBlocks.POOL_FROM_BYTES - 64, blocks.liveBytes());
        s = null;
        awaitZero(blocks::liveBytes);
        assertEquals(0, blocks.pooledBytes());
    }

    /**
     * Blocks handed out past the threshold (a first collection assumed to pause 5 ms: 4 x 5 ms of faults at
     * 1 µs per page, 82 MB) and dropped: the next request finds the pool empty, collects them and gets one back
     * (on a loaded machine the cleaner may miss a request's short wait, 10 ms without any block coming back; a
     * later request then finds the block).
     */
    @Test
    void aRequestThatFindsThePoolEmptyCollectsTheDroppedBlocks() {
        long big = 512L << 20;
        CollectedBlocks blocks = new CollectedBlocks(4L << 30);
        long address = blocks.allocate(big).address();   // dropped at once
        List<MemorySegment> kept = new ArrayList<>();
        while (kept.size() < 8 && (kept.isEmpty() || kept.getLast().address() != address)) {
            kept.add(blocks.allocate(big));
        }
        assertEquals(address, kept.getLast().address(), "the dropped block, collected by a request");
        assertEquals(big * kept.size(), blocks.liveBytes());
    }

    private static void awaitZero(LongSupplier bytes) throws InterruptedException {
        for (int i = 0; i < 200 && bytes.getAsLong() != 0; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertEquals(0, bytes.getAsLong());
    }
}
