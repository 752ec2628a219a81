package io.github.tangent4j.cli;

/**
 * The documented bounds of the command's numeric settings that have no natural limit of their own
 * (issue 26, D4 and D7); a value beyond one is refused in one line naming where it came from. (Sizes that
 * depend on the data, such as an output's bytes, are checked against the machine by {@link Room}.)
 */
final class Limits {
    /** The largest {@code --depth} of the infinite-width kernels: deeper kernels have long converged. */
    static final int MAX_DEPTH = 10_000;
    /** The system property sizing the Java backend's thread pool. */
    static final String THREADS = "tangent4j.threads";
    /** The largest {@value #THREADS}: 8 threads per processor (more only add switching, no speed). */
    static final int MAX_THREADS_PER_PROCESSOR = 8;

    private Limits() {
    }

    /** The largest accepted {@value #THREADS} on this machine. */
    static int maxThreads() {
        return MAX_THREADS_PER_PROCESSOR * Runtime.getRuntime().availableProcessors();
    }

    /**
     * Checks {@code -Dtangent4j.threads}, when set: a whole number from 1 to {@link #maxThreads()}.
     *
     * @throws IllegalArgumentException naming the property, the range and the value
     */
    static void checkThreads() {
        String p = System.getProperty(THREADS);
        if (p == null) {
            return;
        }
        long t;
        try {
            t = Long.parseLong(p.trim());
        } catch (NumberFormatException e) {
            t = -1;
        }
        if (t < 1 || t > maxThreads()) {
            throw new IllegalArgumentException("-D" + THREADS + "=" + p + ": expected 1 to " + maxThreads() + " ("
                    + MAX_THREADS_PER_PROCESSOR + " per processor) but was '" + p + "'");
        }
    }

    /**
     * Checks {@code --depth}: 0 to {@value #MAX_DEPTH} hidden layers.
     *
     * @throws IllegalArgumentException naming --depth, the range and the value
     */
    static void checkDepth(long depth) {
        if (depth < 0 || depth > MAX_DEPTH) {
            throw new IllegalArgumentException("--depth: expected 0 to " + MAX_DEPTH + " hidden layers but was " + depth);
        }
    }
}
