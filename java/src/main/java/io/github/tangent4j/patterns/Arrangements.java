package io.github.tangent4j.patterns;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.Progress;
import io.github.tangent4j.backend.TileEngine;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Finite;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Sampled hyperplane-arrangement patterns of a data set, as used by the convex reformulations of
 * two-layer ReLU training (Pilanci and Ergen 2020): for directions {@code u_1, ..., u_m} drawn from
 * N(0, I_D) with a seed, the sign patterns {@code D_k = 1[X u_k >= 0]} (one bit per example),
 * deduplicated. Each distinct pattern is one diagonal matrix {@code D_k} of the convex program.
 *
 * <p>Computed on the backend as {@code S = -U X^T} (one GEMM per tile of directions), whose sign bits
 * {@code -u.x > 0} are complemented to give {@code u.x >= 0}; distinct rows are then counted by
 * hashing ({@link DistinctPatterns}).
 *
 * @param patterns   the distinct patterns, one row per pattern (M' rows of N bits), in order of first
 *                   appearance among the directions
 * @param directions the sampled directions, (m, D), in the dtype of X
 * @param firstDirection for each distinct pattern, the index of the first direction that produced it
 */
public record Arrangements(PackedPatterns patterns, Tensor directions, long[] firstDirection) {
    /** The largest accepted number of directions. */
    public static final long MAX_DIRECTIONS = Integer.MAX_VALUE - 8;

    /** Validates that there is one first direction per pattern. */
    public Arrangements {
        Objects.requireNonNull(patterns, "patterns");
        Objects.requireNonNull(directions, "directions");
        Objects.requireNonNull(firstDirection, "firstDirection");
        if (firstDirection.length != patterns.rows()) {
            throw new IllegalArgumentException("firstDirection: expected " + patterns.rows() + " entries but got "
                    + firstDirection.length);
        }
    }

    /**
     * The distinct arrangement patterns of the rows of {@code x} (N, D), F32 or F64, over {@code m}
     * directions drawn with {@code seed}.
     *
     * @throws IllegalArgumentException if x is not a finite (N, D) float array or m is not in
     *                                  [1, {@value #MAX_DIRECTIONS}]
     */
    public static Arrangements sample(Backend backend, Tensor x, long m, long seed, Progress listener) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(x, "x");
        if (x.rank() != 2 || !x.dtype().isFloating()) {
            throw new IllegalArgumentException("x: expected a float array of shape (N, D) but was " + x.dtype() + " "
                    + Shapes.format(x.shape()));
        }
        if (m < 1 || m > MAX_DIRECTIONS) {
            throw new IllegalArgumentException("m: expected 1 to " + MAX_DIRECTIONS + " directions but was " + m);
        }
        Finite.check("x", x);
        long n = x.dim(0);
        DType dtype = x.dtype();
        Tensor directions = Tensor.allocate(dtype, m, x.dim(1));
        SplittableRandom rng = new SplittableRandom(seed);
        for (long i = 0; i < directions.size(); i++) {
            directions.setFlat(i, rng.nextGaussian());
        }
        PackedPatterns all = PackedPatterns.zeros(m, n);
        if (n > 0) {
            try (DeviceMatrix xd = backend.upload(x)) {
                TileEngine.of(backend, dtype.byteSize() * (x.dim(1) + n)).withProgress(listener).run(m,
                        (scope, from, to) -> {
                            DeviceMatrix u = scope.track(backend.upload(directions.slice(from, to)));
                            DeviceMatrix s = scope.allocateUninitialised(dtype, to - from, n);
                            backend.gemm(false, true, -1, u, xd, 0, s);
                            all.orBits(backend.signBits(s), n, from, 0);
                        });
            }
            long mask = all.lastWordMask();
            for (long k = 0; k < m; k++) {
                for (int w = 0; w < all.wordsPerRow(); w++) {
                    long full = w + 1 == all.wordsPerRow() ? mask : -1L;
                    all.setWord(k, w, ~all.word(k, w) & full);
                }
            }
        }
        DistinctPatterns distinct = DistinctPatterns.of(all);
        return new Arrangements(distinct.patterns(), directions, distinct.firstRows());
    }

    /** The number of distinct patterns M'. */
    public int count() {
        return (int) patterns.rows();
    }

    /** The patterns as booleans of shape (N, M'): column k is the diagonal of D_k. */
    public Tensor toBooleans() {
        long n = patterns.bits();
        long count = patterns.rows();
        Tensor t = Tensor.allocate(DType.BOOL, n, count);
        for (long k = 0; k < count; k++) {
            for (long i = 0; i < n; i++) {
                if (patterns.bit(k, i)) {
                    t.setFlat(i * count + k, 1);
                }
            }
        }
        return t;
    }
}
