package io.github.tangent4j.backend.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ComputePoolTest {
    /** Runs {@code parts} parts that count their runs; returns the counts. */
    private static int[] countRuns(int parts) {
        AtomicIntegerArray runs = new AtomicIntegerArray(parts);
        ComputePool.run(parts, runs::incrementAndGet);
        int[] out = new int[parts];
        for (int i = 0; i < parts; i++) {
            out[i] = runs.get(i);
        }
        return out;
    }

    @Test
    void everyPartRunsExactlyOnceForManyJobsInARow() {
        for (int round = 0; round < 2000; round++) {
            int parts = 1 + round % 17;
            int[] ones = new int[parts];
            Arrays.fill(ones, 1);
            assertArrayEquals(ones, countRuns(parts), "parts = " + parts);
        }
        assertArrayEquals(new int[0], countRuns(0));
    }

    @Test
    void partsRunOnThePoolWhenItHasWorkers() {
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        CountDownLatch bothStarted = new CountDownLatch(Math.min(2, ComputePool.THREADS));
        ComputePool.run(ComputePool.THREADS, part -> {
            threads.add(Thread.currentThread());
            bothStarted.countDown();
            try {
                bothStarted.await();   // each part waits for another: only true parallelism gets through
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(Math.min(2, ComputePool.THREADS), Math.min(2, threads.size()));
    }

    @Test
    void theFirstFailureIsRethrownAfterEveryPartHasFinished() {
        AtomicIntegerArray runs = new AtomicIntegerArray(8);
        IllegalArgumentException boom = new IllegalArgumentException("part 3");
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> ComputePool.run(8, part -> {
            runs.incrementAndGet(part);
            if (part == 3) {
                throw boom;
            }
        }));
        assertSame(boom, thrown);
        for (int i = 0; i < 8; i++) {
            assertEquals(1, runs.get(i), "part " + i);
        }
        assertArrayEquals(new int[] {1, 1, 1}, countRuns(3), "the pool still works");
        assertThrows(StackOverflowError.class, () -> ComputePool.run(2, part -> {
            throw new StackOverflowError("an Error passes through unchanged");
        }));
    }

    @Test
    void aCallFromInsideAPartRunsOnItsOwnThreadInsteadOfDeadlocking() {
        AtomicIntegerArray inner = new AtomicIntegerArray(4 * 5);
        ComputePool.run(4, outer -> ComputePool.run(5, part -> inner.incrementAndGet(outer * 5 + part)));
        for (int i = 0; i < 20; i++) {
            assertEquals(1, inner.get(i));
        }
    }

    @Test
    void callersOnSeveralThreadsAllGetTheirPartsRun() throws InterruptedException {
        List<Thread> callers = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread caller = new Thread(() -> {
                for (int round = 0; round < 500; round++) {
                    int[] runs = countRuns(7);
                    for (int r : runs) {
                        if (r != 1) {
                            throw new AssertionError("a part ran " + r + " times");
                        }
                    }
                }
            });
            caller.setUncaughtExceptionHandler((th, e) -> {
                synchronized (failures) {
                    failures.add(e);
                }
            });
            callers.add(caller);
            caller.start();
        }
        for (Thread caller : callers) {
            caller.join();
        }
        assertTrue(failures.isEmpty(), failures.toString());
    }

    @Test
    void anInterruptedCallerStillWaitsForEveryPartAndKeepsItsInterrupt() {
        AtomicIntegerArray runs = new AtomicIntegerArray(4);
        Thread.currentThread().interrupt();
        try {
            ComputePool.run(4, part -> {
                if (part != 0) {
                    LockSupportSleep.sleepMillis(20);
                }
                runs.incrementAndGet(part);
            });
            for (int i = 0; i < 4; i++) {
                assertEquals(1, runs.get(i), "part " + i);
            }
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }

    /** A sleep that an interrupt does not cut short. */
    private static final class LockSupportSleep {
        static void sleepMillis(long ms) {
            long end = System.nanoTime() + ms * 1_000_000;
            long left;
            while ((left = end - System.nanoTime()) > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(left);
            }
        }
    }
}
