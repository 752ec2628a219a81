package io.github.tangent4j.convex;

import java.util.stream.IntStream;

/**
 * Elementwise loops over the interior-point method's long host vectors (the N x K slacks and multipliers of
 * the linear constraints, 2e6 at N = 2000, K = 1000), cut into chunks run on the common fork-join pool: each
 * pass is memory-bound and was run on one thread while the backend's threads waited between GEMMs. Short
 * vectors run on the calling thread.
 */
final class HostLoops {
    /** Elements per chunk at least (smaller chunks cost more in scheduling than they save). */
    static final int CHUNK = 1 << 16;

    private HostLoops() {
    }

    /** A loop body over the elements [from, to). */
    @FunctionalInterface
    interface Range {
        void run(int from, int to);
    }

    /** A loop body over the elements [from, to) that returns the smallest of its values. */
    @FunctionalInterface
    interface MinRange {
        double min(int from, int to);
    }

    /** Runs {@code body} over [0, n) in chunks, in parallel where n spans more than one chunk. */
    static void forEach(int n, Range body) {
        int chunks = chunks(n);
        if (chunks == 1) {
            body.run(0, n);
            return;
        }
        IntStream.range(0, chunks).parallel().forEach(c -> body.run(from(n, chunks, c), from(n, chunks, c + 1)));
    }

    /** The smallest value {@code body} returns over the chunks of [0, n) (positive infinity for n = 0). */
    static double min(int n, MinRange body) {
        int chunks = chunks(n);
        if (chunks == 1) {
            return n == 0 ? Double.POSITIVE_INFINITY : body.min(0, n);
        }
        return IntStream.range(0, chunks).parallel()
                .mapToDouble(c -> body.min(from(n, chunks, c), from(n, chunks, c + 1)))
                .min().orElse(Double.POSITIVE_INFINITY);
    }

    private static int chunks(int n) {
        return Math.max(1, Math.min(4 * Runtime.getRuntime().availableProcessors(), n / CHUNK));
    }

    private static int from(int n, int chunks, int c) {
        return (int) ((long) n * c / chunks);
    }
}
