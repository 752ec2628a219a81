package io.github.tangent4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pool of freed blocks: size classes, reuse by class (newest first), eviction of the oldest past the
 * budget, trimming, and a taker waiting for a block another thread gives back. The blocks are addresses
 * only (never dereferenced), and every block leaves the pool exactly once: taken or freed.
 */
class BlockPoolTest {
    private final List<MemorySegment> freed = new ArrayList<>();
    private long nextAddress = 1L << 40;

    private MemorySegment block(long bytes) {
        MemorySegment s = MemorySegment.ofAddress(nextAddress).reinterpret(bytes);
        nextAddress += bytes + 4096;
        return s;
    }

    @Test
    void sizeClassesAreEightPerPowerOfTwoAndNeverSmallerThanTheRequest() {
        assertEquals(1L << 20, BlockPool.classBytes(1L << 20));
        assertEquals((1L << 20) + (1L << 17), BlockPool.classBytes((1L << 20) + 1));
        assertEquals(1_744_830_464L, BlockPool.classBytes(1_714_447_360L));   // the (64, 10, 669706) F32 Jacobian
        assertEquals(1, BlockPool.classBytes(1));
        assertEquals(7, BlockPool.classBytes(7));
        for (long b = 1; b < 1L << 40; b = b * 3 + 1) {
            long c = BlockPool.classBytes(b);
            assertTrue(c >= b && c <= b + b / 8 + 1, b + " -> " + c);
            assertEquals(c, BlockPool.classBytes(c), "a class is its own class");
        }
    }

    @Test
    void aGivenBlockServesItsClassNewestFirstAndNoOtherClass() {
        BlockPool pool = new BlockPool(100L << 20, freed::add);
        MemorySegment older = block(8L << 20);
        MemorySegment newer = block(8L << 20);
        assertTrue(pool.give(older));
        assertTrue(pool.give(newer));
        assertEquals(16L << 20, pool.heldBytes());
        assertNull(pool.take(9L << 20));
        assertSame(newer, pool.take(8L << 20));
        assertSame(older, pool.take(8L << 20));
        assertNull(pool.take(8L << 20));
        assertEquals(0, pool.heldBytes());
        assertTrue(freed.isEmpty());
    }

    @Test
    void pastTheBudgetTheOldestBlocksAreFreedAndABlockLargerThanTheBudgetIsNotKept() {
        BlockPool pool = new BlockPool(10L << 20, freed::add);
        MemorySegment a = block(4L << 20);
        MemorySegment b = block(5L << 20);
        MemorySegment c = block(4L << 20);
        pool.give(a);
        pool.give(b);
        pool.give(c);   // 13 MiB > 10: a goes
        assertEquals(List.of(a), freed);
        assertEquals(9L << 20, pool.heldBytes());
        MemorySegment huge = block(11L << 20);
        assertFalse(pool.give(huge));
        assertEquals(List.of(a, huge), freed);
        assertSame(c, pool.take(4L << 20));
        assertEquals(2, freed.size());
        assertEquals(5L << 20, pool.trim());
        assertEquals(List.of(a, huge, b), freed);
        assertEquals(0, pool.heldBytes());
        assertNull(pool.take(5L << 20));
    }

    @Test
    void aWaitingTakerGetsTheBlockAnotherThreadGivesBackAndGivesUpWhenNothingComes() throws Exception {
        BlockPool pool = new BlockPool(100L << 20, freed::add);
        MemorySegment other = block(2L << 20);
        MemorySegment wanted = block(4L << 20);
        Thread giver = new Thread(() -> {
            try {
                Thread.sleep(20);
                pool.give(other);
                Thread.sleep(20);
                pool.give(wanted);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        giver.start();
        assertSame(wanted, pool.await(4L << 20, 5_000_000_000L, 1_000_000_000L));
        giver.join();
        long start = System.nanoTime();
        assertNull(pool.await(4L << 20, 5_000_000_000L, 30_000_000L));
        long waited = System.nanoTime() - start;
        assertTrue(waited >= 25_000_000L && waited < 2_000_000_000L, "waited " + waited + " ns");
        assertSame(other, pool.take(2L << 20));
    }
}
