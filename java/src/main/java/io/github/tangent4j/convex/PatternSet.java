package io.github.tangent4j.convex;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.patterns.Arrangements;
import io.github.tangent4j.patterns.DistinctPatterns;
import io.github.tangent4j.patterns.PackedPatterns;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The distinct, nonzero arrangement patterns {@code D_i = diag(1[X~ u_i >= 0])} of the lifted inputs X~
 * (N, d'), one row of N bits per pattern. The all-zero pattern is dropped: its block of the program is
 * identically zero.
 *
 * @param patterns the patterns, (P rows of N bits)
 */
public record PatternSet(PackedPatterns patterns) {
    /** Validates that there is a pattern set. */
    public PatternSet {
        Objects.requireNonNull(patterns, "patterns");
    }

    /**
     * The distinct nonzero patterns over {@code m} Gaussian directions drawn with {@code seed} (through
     * {@link Arrangements#sample}), in order of first appearance.
     *
     * @param lifted X~ (N, d'), see {@link Lifted}
     * @throws IllegalArgumentException for a non-finite X~ or m outside [1, {@link Arrangements#MAX_DIRECTIONS}]
     */
    public static PatternSet sampled(Backend backend, Tensor lifted, long m, long seed) {
        return nonzero(Arrangements.sample(backend, lifted, m, seed, null).patterns());
    }

    /**
     * Every distinct nonzero pattern of X~ (N, d'), d' <= 3, enumerated exactly ({@link ExactPatterns}). For
     * N points in general position there are C(N, d') of them, less 1 when the all-zero pattern exists
     * (Cover 1965: {@code C(N, d') = 2 sum_{k<d'} binom(N-1, k)}).
     *
     * @throws IllegalArgumentException if d' > 3 or X~ is not a finite float matrix
     */
    public static PatternSet all(Tensor lifted) {
        return nonzero(ExactPatterns.enumerate(lifted));
    }

    /** The distinct rows of {@code p} that are not all zero, in order of first appearance. */
    static PatternSet nonzero(PackedPatterns p) {
        DistinctPatterns distinct = DistinctPatterns.of(p);
        PackedPatterns unique = distinct.patterns();
        List<Long> keep = new ArrayList<>();
        for (long k = 0; k < unique.rows(); k++) {
            if (unique.popCount(k) > 0) {
                keep.add(k);
            }
        }
        return new PatternSet(unique.select(keep.stream().mapToLong(Long::longValue).toArray()));
    }

    /** The number of patterns P. */
    public int count() {
        return (int) patterns.rows();
    }

    /** The number of examples N (bits per pattern). */
    public long examples() {
        return patterns.bits();
    }

    /** The patterns as an (N, P) 0/1 matrix of {@code dtype}: column i is the diagonal of D_i. */
    public Tensor mask(DType dtype) {
        long n = patterns.bits();
        int p = count();
        Tensor t = Tensor.allocate(dtype, n, p);
        for (int k = 0; k < p; k++) {
            for (long i = 0; i < n; i++) {
                if (patterns.bit(k, i)) {
                    t.setFlat(i * p + k, 1);
                }
            }
        }
        return t;
    }
}
