package io.github.tangent4j.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the command does when SIGINT (Ctrl-C) or SIGTERM ({@code kill}, {@code timeout}, {@code scancel})
 * stops it: a shutdown hook deletes every temporary file of ours ({@link Temporaries#abandonAll}), after
 * which no output can be renamed into place, so every previous output stays as it was; it interrupts the
 * command's thread, which stops at the next tile ({@code TileEngine} checks the interrupt flag between
 * tiles) and waits up to {@value #GRACE_SECONDS} s for it to close its backend; then it prints one line,
 * {@code SUBCOMMAND: interrupted}. The JVM then exits with 128 + the signal number: 130 for SIGINT, 143 for
 * SIGTERM. A run that ends by itself (normally or with an error) is not affected: the hook does nothing.
 */
final class Interruption {
    /** How long the hook waits for the command's thread to stop. */
    static final long GRACE_SECONDS = 1;

    private static final int RUNNING = 0;
    private static final int STOPPING = 1;
    private static final int FINISHED = 2;
    private static final AtomicInteger STATE = new AtomicInteger(RUNNING);
    private static final CountDownLatch RETURNED = new CountDownLatch(1);

    private Interruption() {
    }

    /** Installs the hook for the command {@code name} running on {@code commandThread}. */
    static void install(Thread commandThread, String name) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (STATE.compareAndSet(RUNNING, STOPPING)) {
                Temporaries.abandonAll();
                commandThread.interrupt();
                try {
                    RETURNED.await(GRACE_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                System.err.println(name + ": interrupted");
                System.err.flush();
            }
            LauncherStatus.exiting();
        }, "tangent4j-interruption"));
    }

    /**
     * Called when the command has returned its exit code: a stop that has not begun will do nothing; one
     * in progress may go on.
     */
    static void returned() {
        STATE.compareAndSet(RUNNING, FINISHED);
        RETURNED.countDown();
    }

    /** Whether the command is being stopped (its errors are then the stop's doing and are not reported). */
    static boolean stopping() {
        return STATE.get() == STOPPING;
    }
}
