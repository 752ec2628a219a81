package io.github.tangent4j.backend.java;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one pool of daemon threads the Java backend computes on, created at first use and sized by the
 * system property {@code tangent4j.threads} (default: {@code availableProcessors()}). The caller's
 * thread runs one part itself, so a pool of T threads keeps T - 1 workers.
 */
final class ComputePool {
    /** Number of threads a parallel operation uses, the caller included. */
    static final int THREADS = threads();
    private static final ExecutorService WORKERS = THREADS > 1 ? Executors.newFixedThreadPool(THREADS - 1, daemon())
            : null;

    private ComputePool() {
    }

    private static int threads() {
        String p = System.getProperty("tangent4j.threads");
        if (p != null) {
            try {
                int t = Integer.parseInt(p.trim());
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

    private static java.util.concurrent.ThreadFactory daemon() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "tangent4j-compute-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Runs {@code task.run(part)} for part = 0 .. parts - 1, in parallel, and waits for all of them. */
    static void run(int parts, PartTask task) {
        if (parts <= 1 || WORKERS == null) {
            for (int i = 0; i < parts; i++) {
                task.run(i);
            }
            return;
        }
        List<Future<?>> futures = new ArrayList<>(parts - 1);
        for (int i = 1; i < parts; i++) {
            int part = i;
            futures.add(WORKERS.submit(() -> task.run(part)));
        }
        Throwable failure = null;
        try {
            task.run(0);
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        // Wait for every part even when interrupted: a part still running could write into memory the
        // caller frees as soon as this returns.
        boolean interrupted = false;
        for (Future<?> f : futures) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause();
                    }
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure instanceof RuntimeException r) {
            throw r;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new IllegalStateException("a compute thread failed", failure);
        }
    }

    /** One part of a parallel operation. */
    @FunctionalInterface
    interface PartTask {
        void run(int part);
    }
}
