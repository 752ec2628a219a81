package io.github.tangent4j.patterns;

import java.util.Objects;

/**
 * The linear pieces of a network along one segment {@code x(t) = a + t (b - a)}, {@code t in [0, 1]}:
 * the sorted breakpoints in (0, 1) where some pre-activation changes sign, and the activation pattern
 * on each piece (piece k is {@code (t_{k-1}, t_k)} with {@code t_{-1} = 0} and {@code t_K = 1}).
 *
 * @param breakpoints the breakpoints, strictly increasing, in (0, 1)
 * @param patterns    one pattern per piece (breakpoints + 1 rows, H bits)
 */
public record SegmentRegions(double[] breakpoints, PackedPatterns patterns) {
    /** Checks that there is one more pattern than breakpoints. */
    public SegmentRegions {
        Objects.requireNonNull(breakpoints, "breakpoints");
        Objects.requireNonNull(patterns, "patterns");
        if (patterns.rows() != breakpoints.length + 1L) {
            throw new IllegalArgumentException("patterns: expected " + (breakpoints.length + 1) + " rows for "
                    + breakpoints.length + " breakpoints but got " + patterns.rows());
        }
    }

    /** The number of linear pieces, breakpoints + 1. */
    public int pieces() {
        return breakpoints.length + 1;
    }

    /** The breakpoints (a copy). */
    @Override
    public double[] breakpoints() {
        return breakpoints.clone();
    }
}
