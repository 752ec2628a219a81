package io.github.tangent4j.backend.java;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The one pool of daemon threads the Java backend computes on, created at first use and sized by the
 * system property {@code tangent4j.threads} (default: {@code availableProcessors()}). The caller's
 * thread takes parts too, so a pool of T threads keeps T - 1 workers.
 *
 * <p>Waking a parked thread costs 30-40 µs on a virtual machine, which a 256³ GEMM (0.2-0.4 ms) pays
 * twice: once to start a worker, once to wake the caller. So workers and the caller spin for
 * {@link #SPIN_NANOS} before they park, as BLAS thread pools do; a worker spins only right after a job.
 * Parts are claimed from a shared counter, so a slow thread takes fewer of them.
 *
 * <p>One operation runs at a time; a call made while the pool is busy (from another thread, or from
 * inside a part) runs its parts on the calling thread, so the pool never deadlocks.
 */
final class ComputePool {
    /** The largest accepted {@code tangent4j.threads}: 8 per processor (more only add switching, no speed). */
    static final int MAX_THREADS = 8 * Runtime.getRuntime().availableProcessors();
    /** Number of threads a parallel operation uses, the caller included. */
    static final int THREADS = threads();
    /** How long an idle thread spins before it parks. */
    static final long SPIN_NANOS = 200_000;
    private static final AtomicBoolean BUSY = new AtomicBoolean();
    /** The operation in progress, or null. */
    private static volatile Job current;
    private static final Thread[] WORKERS = startWorkers();

    private ComputePool() {
    }

    private static int threads() {
        String p = System.getProperty("tangent4j.threads");
        if (p != null) {
            try {
                int t = Integer.parseInt(p.trim());
                if (t > MAX_THREADS) {
                    System.getLogger(ComputePool.class.getName()).log(System.Logger.Level.WARNING,
                            "tangent4j.threads must be at most " + MAX_THREADS + " (8 per processor) but was " + t
                                    + "; using " + MAX_THREADS);
                    return MAX_THREADS;
                }
                if (t >= 1) {
                    return t;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the default, as documented
            }
            System.getLogger(ComputePool.class.getName()).log(System.Logger.Level.WARNING,
                    "tangent4j.threads must be a positive integer but was '" + p + "'; using all cores");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    private static Thread[] startWorkers() {
        Thread[] workers = new Thread[THREADS - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Thread(ComputePool::work, "tangent4j-compute-" + (i + 1));
            workers[i].setDaemon(true);
            workers[i].start();
        }
        return workers;
    }

    /** A worker's life: wait for a job it has not seen, take its parts, repeat. */
    private static void work() {
        Job seen = null;
        while (true) {
            long deadline = System.nanoTime() + SPIN_NANOS;
            Job job;
            while ((job = current) == seen && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            while ((job = current) == seen) {
                LockSupport.park(ComputePool.class);
            }
            seen = job;
            if (job != null) {
                job.takeParts();
            }
        }
    }

    /**
     * Runs {@code task.run(part)} for part = 0 .. parts - 1, in parallel, and returns when all of them
     * have returned; the first exception or error a part throws is rethrown then.
     */
    static void run(int parts, PartTask task) {
        if (parts <= 1 || WORKERS.length == 0 || !BUSY.compareAndSet(false, true)) {
            for (int i = 0; i < parts; i++) {
                task.run(i);
            }
            return;
        }
        Job job = new Job(parts, task, Thread.currentThread());
        try {
            current = job;
            for (Thread w : WORKERS) {
                LockSupport.unpark(w);
            }
            job.takeParts();
            job.awaitAll();
        } finally {
            current = null;   // let the task and what it captured be collected
            BUSY.set(false);
        }
        job.rethrow();
    }

    /** One parallel operation: its parts, who has taken and finished them, and its first failure. */
    private static final class Job {
        private final int parts;
        private final PartTask task;
        private final Thread caller;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger finished = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(int parts, PartTask task, Thread caller) {
            this.parts = parts;
            this.task = task;
            this.caller = caller;
        }

        void takeParts() {
            int part;
            while ((part = next.getAndIncrement()) < parts) {
                try {
                    task.run(part);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
                if (finished.incrementAndGet() == parts) {
                    LockSupport.unpark(caller);
                }
            }
        }

        /**
         * Waits, on the caller's thread, until every part has finished, even when interrupted: a part still
         * running could write into memory the caller frees as soon as this returns.
         */
        void awaitAll() {
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (finished.get() < parts && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            boolean interrupted = false;
            while (finished.get() < parts) {
                LockSupport.park(this);
                interrupted |= Thread.interrupted();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        void rethrow() {
            Throwable t = failure.get();
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException("a compute thread failed", t);
            }
        }
    }

    /** One part of a parallel operation. */
    @FunctionalInterface
    interface PartTask {
        void run(int part);
    }
}
