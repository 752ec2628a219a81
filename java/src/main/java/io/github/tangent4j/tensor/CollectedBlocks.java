package io.github.tangent4j.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The C allocator's blocks behind garbage-collected uninitialised tensors ({@link NativeMemory#allocateCollected}):
 * a block whose segment has become unreachable goes back to a {@link BlockPool} when the cleaner runs, and the
 * next request of its size class gets it back, already touched, instead of a fresh block whose pages fault in.
 *
 * <p>A C or PyTorch program frees a result as soon as it drops it, and {@code malloc} hands the same memory to
 * the next call. Here a dropped result is freed only when the garbage collector notices it, which a loop that
 * allocates little on the Java heap may not do for hundreds of calls, so every call would fault in new pages.
 * Hence, when the pool has no block for a request, and the blocks handed out since the last collection would
 * cost at least {@link #PAYBACK} times that collection's pause to fault in again (at an estimated
 * {@link #FAULT_NANOS_PER_PAGE} ns per page), a collection is requested ({@link System#gc()}) and the request
 * waits briefly for its block to come back. A collection that returns no block of the class doubles that
 * threshold, so a program that keeps its results pays for a few collections at most: once the threshold
 * exceeds the pool's budget, none are requested (until a collection does return a block).
 */
final class CollectedBlocks {
    /** Requests below this many bytes are neither pooled nor reclaimed (the C allocator recycles those itself). */
    static final long POOL_FROM_BYTES = 1L << 20;
    /** Estimated cost of faulting in a fresh 4 KiB page: 0.25 µs on bare metal, 1.5-4 µs measured on VMs. */
    static final double FAULT_NANOS_PER_PAGE = 1000;
    /** A collection is requested when the faults it may save cost at least this many times its pause. */
    static final int PAYBACK = 4;

    private final BlockPool pool;
    private final AtomicLong liveBytes = new AtomicLong();
    private long handedOutSinceGc;   // guarded by this
    private long lastGcNanos = 5_000_000;   // assumed until a collection is measured
    private int fruitlessGcs;

    /** Blocks kept for reuse up to {@code poolBytes} (0: none kept, none reclaimed). */
    CollectedBlocks(long poolBytes) {
        this.pool = new BlockPool(poolBytes, NativeMemory::free);
    }

    /**
     * {@code bytes} (> 0) of memory whose contents are unspecified (a reused block holds an earlier result),
     * returned to this pool by the cleaner once the segment is unreachable; null when the C allocator refuses.
     */
    MemorySegment allocate(long bytes) {
        boolean pooled = bytes >= POOL_FROM_BYTES && pool.budgetBytes() > 0;
        long blockBytes = pooled ? BlockPool.classBytes(bytes) : bytes;
        MemorySegment block = pooled ? pool.take(blockBytes) : null;
        if (block == null && pooled) {
            block = reclaim(blockBytes);
        }
        if (block == null) {
            block = NativeMemory.allocate(blockBytes);
            if (block == null) {
                return null;
            }
        }
        liveBytes.addAndGet(blockBytes);
        synchronized (this) {
            handedOutSinceGc += blockBytes;
        }
        long address = block.address();
        return block.reinterpret(bytes, Arena.ofAuto(), unused -> release(address, blockBytes, pooled));
    }

    /** Runs on the cleaner thread once the segment of the block at {@code address} is unreachable. */
    private void release(long address, long blockBytes, boolean pooled) {
        liveBytes.addAndGet(-blockBytes);
        MemorySegment block = MemorySegment.ofAddress(address).reinterpret(blockBytes);
        if (pooled) {
            pool.give(block);
        } else {
            NativeMemory.free(block);
        }
    }

    // A collection's pause counts as at least 1 ms. A wait for a block after a collection: at most 100 ms,
    // and over once no block of any class has come back for 10 ms.
    private static final long MIN_GC_NANOS = 1_000_000;
    private static final long MAX_WAIT_NANOS = 100_000_000;
    private static final long QUIET_NANOS = 10_000_000;

    /**
     * A block of {@code blockBytes} freed by a collection requested now, when that pays (see the class
     * comment), or null.
     */
    private MemorySegment reclaim(long blockBytes) {
        synchronized (this) {
            double threshold = Math.scalb((double) lastGcNanos * PAYBACK / FAULT_NANOS_PER_PAGE * 4096, fruitlessGcs);
            if (threshold > pool.budgetBytes() || handedOutSinceGc < Math.max(threshold, blockBytes)) {
                return null;
            }
            handedOutSinceGc = 0;
            long start = System.nanoTime();
            System.gc();
            // a collection that returns at once (-XX:+DisableExplicitGC) must not be requested on every request
            lastGcNanos = Math.max(MIN_GC_NANOS, System.nanoTime() - start);
        }
        long wait = Math.min(MAX_WAIT_NANOS, (long) (blockBytes / 4096.0 * FAULT_NANOS_PER_PAGE / PAYBACK));
        MemorySegment block;
        try {
            block = pool.await(blockBytes, wait, QUIET_NANOS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            block = pool.take(blockBytes);
        }
        synchronized (this) {
            fruitlessGcs = block == null ? fruitlessGcs + 1 : 0;
        }
        return block;
    }

    /** Bytes of blocks handed out whose segments have not been released yet. */
    long liveBytes() {
        return liveBytes.get();
    }

    /** Bytes of released blocks kept for reuse. */
    long pooledBytes() {
        return pool.heldBytes();
    }

    /** Frees every block kept for reuse; returns the bytes released. */
    long trim() {
        return pool.trim();
    }
}
