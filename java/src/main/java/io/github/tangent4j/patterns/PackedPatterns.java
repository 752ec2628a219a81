package io.github.tangent4j.patterns;

import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A set of bit patterns of equal length, packed 64 to a word: {@code rows} patterns of {@code bits}
 * bits each, stored row-major as an {@link DType#I64} tensor of shape (rows, ceil(bits / 64)). Bit
 * {@code j} of row {@code i} is bit {@code j % 64} of word {@code j / 64}; the unused high bits of a
 * row's last word are 0, so equal patterns have equal words (what {@link DistinctPatterns} hashes).
 *
 * <p>The layout is the one {@link io.github.tangent4j.backend.Backend#signBits} produces. Instances
 * are effectively immutable: methods return new objects and never write into this one's words.
 */
public final class PackedPatterns {
    static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Tensor words;
    private final MemorySegment segment;
    private final long rows;
    private final long bits;
    private final int wordsPerRow;

    private PackedPatterns(Tensor words, long bits) {
        this.words = words;
        this.segment = words.segment();
        this.rows = words.dim(0);
        this.bits = bits;
        this.wordsPerRow = (int) words.dim(1);
    }

    /** Words per row for patterns of {@code bits} bits: {@code ceil(bits / 64)}. */
    public static int wordsFor(long bits) {
        if (bits < 0 || bits > 64L * Integer.MAX_VALUE) {
            throw new IllegalArgumentException("bits: expected in [0, 64 * (2^31 - 1)] but was " + bits);
        }
        return (int) ((bits + 63) / 64);
    }

    /** {@code rows} all-zero patterns of {@code bits} bits (package-private: filled by the family's code). */
    static PackedPatterns zeros(long rows, long bits) {
        if (rows < 0) {
            throw new IllegalArgumentException("rows: expected >= 0 but was " + rows);
        }
        return new PackedPatterns(Tensor.allocate(DType.I64, rows, wordsFor(bits)), bits);
    }

    /**
     * Wraps packed words (no copy): an {@link DType#I64} tensor of shape (rows, ceil(bits / 64)).
     *
     * @throws IllegalArgumentException if the dtype or shape does not fit {@code bits}, or an unused
     *                                  high bit is set (naming the row)
     */
    public static PackedPatterns wrap(Tensor words, long bits) {
        Objects.requireNonNull(words, "words");
        int w = wordsFor(bits);
        if (words.dtype() != DType.I64 || words.rank() != 2 || words.dim(1) != w) {
            throw new IllegalArgumentException("words: expected an I64 tensor of shape (rows, " + w + ") for " + bits
                    + " bits but was " + words.dtype() + " " + Shapes.format(words.shape()));
        }
        PackedPatterns p = new PackedPatterns(words, bits);
        long mask = p.lastWordMask();
        for (long i = 0; i < p.rows && w > 0; i++) {
            if ((p.word(i, w - 1) & ~mask) != 0) {
                throw new IllegalArgumentException("words: row " + i + " has bits set beyond bit " + (bits - 1));
            }
        }
        return p;
    }

    /**
     * Packs a rank-2 tensor of any dtype (N, H): bit set iff the element is nonzero.
     *
     * @throws IllegalArgumentException unless the tensor has rank 2
     */
    public static PackedPatterns fromBooleans(Tensor values) {
        Objects.requireNonNull(values, "values");
        if (values.rank() != 2) {
            throw new IllegalArgumentException("values: expected shape (N, H) but was " + Shapes.format(values.shape()));
        }
        long n = values.dim(0);
        long h = values.dim(1);
        PackedPatterns p = zeros(n, h);
        for (long i = 0; i < n; i++) {
            for (long j = 0; j < h; j++) {
                if (values.getFlat(i * h + j) != 0) {
                    p.setBit(i, j);
                }
            }
        }
        return p;
    }

    /** Number of patterns N. */
    public long rows() {
        return rows;
    }

    /** Bits per pattern H. */
    public long bits() {
        return bits;
    }

    /** Words per row, {@code ceil(bits / 64)}. */
    public int wordsPerRow() {
        return wordsPerRow;
    }

    /** Word {@code w} of row {@code row}. */
    public long word(long row, int w) {
        return segment.getAtIndex(WORD, row * wordsPerRow + w);
    }

    /** Whether bit {@code j} of pattern {@code row} is set. */
    public boolean bit(long row, long j) {
        Objects.checkIndex(row, rows);
        Objects.checkIndex(j, bits);
        return (word(row, (int) (j >>> 6)) >>> (j & 63) & 1) != 0;
    }

    /** Number of set bits of pattern {@code row}. */
    public long popCount(long row) {
        long c = 0;
        for (int w = 0; w < wordsPerRow; w++) {
            c += Long.bitCount(word(row, w));
        }
        return c;
    }

    /** Whether pattern {@code row} of this set equals pattern {@code otherRow} of {@code other} (same bit count). */
    public boolean rowEquals(long row, PackedPatterns other, long otherRow) {
        if (other.bits != bits) {
            return false;
        }
        long a = row * wordsPerRow;
        long b = otherRow * wordsPerRow;
        for (int w = 0; w < wordsPerRow; w++) {
            if (segment.getAtIndex(WORD, a + w) != other.segment.getAtIndex(WORD, b + w)) {
                return false;
            }
        }
        return true;
    }

    /** The packed words: an I64 tensor (rows, wordsPerRow) sharing this set's memory; do not write into it. */
    public Tensor words() {
        return words;
    }

    /** The patterns as a {@link DType#BOOL} tensor of shape (rows, bits). */
    public Tensor toBooleans() {
        return toBooleans(0, rows);
    }

    /**
     * Patterns {@code [from, to)} as a {@link DType#BOOL} tensor of shape (to - from, bits).
     *
     * @throws IllegalArgumentException unless {@code 0 <= from <= to <= rows()}
     */
    public Tensor toBooleans(long from, long to) {
        if (from < 0 || from > to || to > rows) {
            throw new IllegalArgumentException("from, to: expected 0 <= from <= to <= " + rows + " but were " + from
                    + ", " + to);
        }
        Tensor t = Tensor.allocate(DType.BOOL, to - from, bits);
        MemorySegment out = t.segment();
        for (long i = from; i < to; i++) {
            long base = (i - from) * bits;
            for (int w = 0; w < wordsPerRow; w++) {
                long word = word(i, w);
                while (word != 0) {
                    int b = Long.numberOfTrailingZeros(word);
                    out.set(ValueLayout.JAVA_BYTE, base + ((long) w << 6) + b, (byte) 1);
                    word &= word - 1;
                }
            }
        }
        return t;
    }

    /**
     * Bits {@code [from, to)} of every pattern, as a new set of {@code to - from} bits (e.g. one hidden
     * layer's units out of a whole network's pattern).
     */
    public PackedPatterns columns(long from, long to) {
        if (from < 0 || to < from || to > bits) {
            throw new IndexOutOfBoundsException("columns: expected 0 <= from <= to <= " + bits + " but was [" + from
                    + ", " + to + ")");
        }
        PackedPatterns p = zeros(rows, to - from);
        for (long i = 0; i < rows; i++) {
            for (int w = 0; w < p.wordsPerRow; w++) {
                long start = from + ((long) w << 6);
                long n = Math.min(64, to - start);
                p.setWord(i, w, extract(i, start, (int) n));
            }
        }
        return p;
    }

    /** Patterns {@code [from, to)} as a view sharing this set's memory. */
    public PackedPatterns rowRange(long from, long to) {
        return new PackedPatterns(words.slice(from, to), bits);
    }

    /** The patterns at the given row indices, in that order, as a new set. */
    public PackedPatterns select(long[] rowIndices) {
        PackedPatterns p = zeros(rowIndices.length, bits);
        for (int k = 0; k < rowIndices.length; k++) {
            Objects.checkIndex(rowIndices[k], rows);
            MemorySegment.copy(segment, rowIndices[k] * wordsPerRow * 8L, p.segment, (long) k * wordsPerRow * 8L,
                    wordsPerRow * 8L);
        }
        return p;
    }

    /** The {@code n} (1..64) bits of row {@code row} starting at bit {@code start}, in the low bits of a long. */
    private long extract(long row, long start, int n) {
        int w = (int) (start >>> 6);
        int s = (int) (start & 63);
        long v = word(row, w) >>> s;
        if (s != 0 && s + n > 64) {
            v |= word(row, w + 1) << (64 - s);
        }
        return n == 64 ? v : v & ((1L << n) - 1);
    }

    /**
     * ORs {@code src}'s packed words (rows x ceil(srcBits / 64), with clean high bits) into rows
     * {@code [rowOffset, rowOffset + src rows)} of this set at bit offset {@code bitOffset}. Used to
     * assemble a network's pattern from the per-layer {@code signBits} results.
     */
    void orBits(Tensor src, long srcBits, long rowOffset, long bitOffset) {
        MemorySegment in = src.segment();
        int srcWords = (int) src.dim(1);
        long srcRows = src.dim(0);
        int shift = (int) (bitOffset & 63);
        int first = (int) (bitOffset >>> 6);
        int lastWord = (int) ((bitOffset + srcBits + 63) / 64);   // exclusive bound of words touched
        for (long i = 0; i < srcRows; i++) {
            long dst = (rowOffset + i) * wordsPerRow;
            long srcAt = i * srcWords;
            for (int w = 0; w < srcWords; w++) {
                long v = in.getAtIndex(WORD, srcAt + w);
                long at = dst + first + w;
                segment.setAtIndex(WORD, at, segment.getAtIndex(WORD, at) | v << shift);
                if (shift != 0 && first + w + 1 < lastWord) {
                    segment.setAtIndex(WORD, at + 1, segment.getAtIndex(WORD, at + 1) | v >>> (64 - shift));
                }
            }
        }
    }

    /** Sets bit {@code j} of row {@code row}. */
    void setBit(long row, long j) {
        long at = row * wordsPerRow + (j >>> 6);
        segment.setAtIndex(WORD, at, segment.getAtIndex(WORD, at) | 1L << (j & 63));
    }

    /** Overwrites word {@code w} of row {@code row}. */
    void setWord(long row, int w, long value) {
        segment.setAtIndex(WORD, row * wordsPerRow + w, value);
    }

    /** The mask of the used bits of a row's last word. */
    long lastWordMask() {
        int used = (int) (bits & 63);
        return used == 0 ? -1L : (1L << used) - 1;
    }

    @Override
    public String toString() {
        return "PackedPatterns[" + rows + " x " + bits + " bits]";
    }
}
