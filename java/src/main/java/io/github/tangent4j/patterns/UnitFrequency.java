package io.github.tangent4j.patterns;

import java.util.Objects;
import java.util.stream.LongStream;

/**
 * How often each unit (bit position) is active over a set of patterns, and the units that never are
 * (dead on the sample) or always are (always on: linear on the sample).
 */
public final class UnitFrequency {
    private final long rows;
    private final long[] active;

    private UnitFrequency(long rows, long[] active) {
        this.rows = rows;
        this.active = active;
    }

    /**
     * Counts the set bits of every position over the rows of {@code patterns}.
     *
     * @throws IllegalArgumentException if the patterns have more than 2^31 - 9 bits
     */
    public static UnitFrequency of(PackedPatterns patterns) {
        Objects.requireNonNull(patterns, "patterns");
        if (patterns.bits() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("patterns: expected at most 2^31 - 9 bits but got " + patterns.bits());
        }
        long[] active = new long[(int) patterns.bits()];
        int words = patterns.wordsPerRow();
        for (long i = 0; i < patterns.rows(); i++) {
            for (int w = 0; w < words; w++) {
                long word = patterns.word(i, w);
                int base = w << 6;
                while (word != 0) {
                    active[base + Long.numberOfTrailingZeros(word)]++;
                    word &= word - 1;
                }
            }
        }
        return new UnitFrequency(patterns.rows(), active);
    }

    /** Number of patterns counted. */
    public long rows() {
        return rows;
    }

    /** Number of rows in which each unit is active (a copy), indexed by unit. */
    public long[] activeCounts() {
        return active.clone();
    }

    /** The fraction of rows in which unit {@code j} is active, in [0, 1] (NaN with no rows). */
    public double frequency(int j) {
        return rows == 0 ? Double.NaN : (double) active[Objects.checkIndex(j, active.length)] / rows;
    }

    /** Units active in no row, ascending. */
    public long[] dead() {
        return units(0);
    }

    /** Units active in every row, ascending. */
    public long[] alwaysOn() {
        return units(rows);
    }

    private long[] units(long count) {
        return LongStream.range(0, active.length).filter(j -> active[(int) j] == count).toArray();
    }
}
