package io.github.tangent4j.patterns;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;

/**
 * The distinct patterns of a {@link PackedPatterns} set and how often each occurs: for activation
 * patterns, the linear regions of the network that the inputs hit and how many inputs fall in each.
 * Classes are numbered 0, 1, ... in order of first occurrence.
 *
 * <p>Counting hashes each row's packed words into an open-addressing table (no boxing), so it is
 * linear in the number of words: 10^6 patterns take a fraction of a second.
 */
public final class DistinctPatterns {
    private static final int MAX_CLASSES = Integer.MAX_VALUE - 8;
    /** Rows hashed and pre-loaded together. */
    private static final int BLOCK = 64;
    /** Keeps the pre-loads of the table observable, so the compiler cannot drop them. */
    @SuppressWarnings("unused")
    private static long sink;

    private final PackedPatterns source;
    private final int[] ids;
    private final long[] firstRows;
    private final long[] counts;

    private DistinctPatterns(PackedPatterns source, int[] ids, long[] firstRows, long[] counts) {
        this.source = source;
        this.ids = ids;
        this.firstRows = firstRows;
        this.counts = counts;
    }

    /**
     * Counts the distinct rows of {@code patterns}.
     *
     * @throws IllegalArgumentException if there are more than 2^31 - 9 rows
     */
    public static DistinctPatterns of(PackedPatterns patterns) {
        Objects.requireNonNull(patterns, "patterns");
        if (patterns.rows() > MAX_CLASSES) {
            throw new IllegalArgumentException("patterns: expected at most " + MAX_CLASSES + " rows but got "
                    + patterns.rows());
        }
        int n = (int) patterns.rows();
        int words = patterns.wordsPerRow();
        MemorySegment seg = patterns.words().segment();
        int[] ids = new int[n];
        long[] first = new long[16];
        long[] counts = new long[16];
        // the distinct patterns' words, compact (so that comparisons stay in cache), and per slot of the
        // open-addressing table the pair (hash, class + 1) side by side (one cache line per probe)
        long[] classWords = new long[16 * words];
        int classes = 0;
        int capacity = 64;
        long[] table = new long[2 * capacity];
        long[] hashes = new long[BLOCK];
        long touched = 0;
        for (int block = 0; block < n; block += BLOCK) {
            int end = Math.min(n, block + BLOCK);
            for (int i = block; i < end; i++) {
                hashes[i - block] = hash(seg, (long) i * words, words);
            }
            // Load each row's first table slot and candidate class before probing: the loads are
            // independent, so their cache misses overlap instead of stalling one row at a time.
            int touchMask = capacity - 1;
            for (int i = block; i < end; i++) {
                long entry = table[2 * ((int) hashes[i - block] & touchMask) + 1];
                touched += entry == 0 || words == 0 ? 0 : classWords[(int) (entry - 1) * words];
            }
            for (int i = block; i < end; i++) {
                long at = (long) i * words;
                long h = hashes[i - block];
                int mask = capacity - 1;
                int slot = (int) h & mask;
                int found = -1;
                while (table[2 * slot + 1] != 0) {
                    if (table[2 * slot] == h) {
                        int c = (int) table[2 * slot + 1] - 1;
                        if (equalWords(seg, at, classWords, c * words, words)) {
                            found = c;
                            break;
                        }
                    }
                    slot = (slot + 1) & mask;
                }
                if (found < 0) {
                    found = classes++;
                    if (found == first.length) {
                        int grown = (int) Math.min(MAX_CLASSES, 2L * first.length);
                        first = Arrays.copyOf(first, grown);
                        counts = Arrays.copyOf(counts, grown);
                        classWords = Arrays.copyOf(classWords, Math.multiplyExact(grown, words));
                    }
                    first[found] = i;
                    MemorySegment.copy(seg, PackedPatterns.WORD, at * 8, classWords, found * words, words);
                    table[2 * slot] = h;
                    table[2 * slot + 1] = found + 1;
                    if (2L * classes > capacity) {
                        capacity *= 2;
                        table = rehash(table, capacity);
                    }
                }
                counts[found]++;
                ids[i] = found;
            }
        }
        sink = touched;
        return new DistinctPatterns(patterns, ids, Arrays.copyOf(first, classes), Arrays.copyOf(counts, classes));
    }

    private static long[] rehash(long[] old, int capacity) {
        long[] table = new long[2 * capacity];
        int mask = capacity - 1;
        for (int s = 0; s < old.length; s += 2) {
            if (old[s + 1] != 0) {
                int slot = (int) old[s] & mask;
                while (table[2 * slot + 1] != 0) {
                    slot = (slot + 1) & mask;
                }
                table[2 * slot] = old[s];
                table[2 * slot + 1] = old[s + 1];
            }
        }
        return table;
    }

    private static long hash(MemorySegment seg, long at, int words) {
        long h = 0x9E3779B97F4A7C15L * (words + 1);
        for (int w = 0; w < words; w++) {
            h = Long.rotateLeft(h ^ seg.getAtIndex(PackedPatterns.WORD, at + w) * 0xC2B2AE3D27D4EB4FL, 31)
                    * 0x9E3779B97F4A7C15L;
        }
        // murmur3's 64-bit finaliser, so that the low bits (the table slot) depend on every word
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return h ^ h >>> 33;
    }

    private static boolean equalWords(MemorySegment seg, long at, long[] classWords, int from, int words) {
        for (int w = 0; w < words; w++) {
            if (seg.getAtIndex(PackedPatterns.WORD, at + w) != classWords[from + w]) {
                return false;
            }
        }
        return true;
    }

    /** Number of distinct patterns. */
    public int count() {
        return firstRows.length;
    }

    /** The class (in {@code [0, count())}) of row {@code row}. */
    public int id(long row) {
        return ids[Objects.checkIndex((int) row, ids.length)];
    }

    /** The class of every row, in row order (a copy). */
    public int[] ids() {
        return ids.clone();
    }

    /** How many rows each class has, indexed by class (a copy). */
    public long[] counts() {
        return counts.clone();
    }

    /** The first row of each class, indexed by class (a copy). */
    public long[] firstRows() {
        return firstRows.clone();
    }

    /** The distinct patterns themselves, one row per class in class order. */
    public PackedPatterns patterns() {
        return source.select(firstRows);
    }
}
