package io.github.tangent4j.patterns;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.Progress;
import io.github.tangent4j.backend.TileEngine;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.Objects;

/**
 * Hamming distances between two pattern sets through one GEMM: {@code d(p, q) = |p| + |q| - 2 p.q}
 * for 0/1 vectors. Rows are expanded to {@code [p, |p|, 1]} and {@code [-2 q, 1, |q|]}, whose inner
 * product is exactly that, so the whole (Np, Nq) matrix is {@code A B^T}. Every partial sum is an
 * integer of magnitude at most 2H, so the GEMM is exact in F32 up to H = 2^23 bits; longer patterns
 * use F64 (exact far beyond any practical H). Tiled over the rows of the first set.
 */
public final class HammingDistances {
    /** Longest patterns computed in F32 (every intermediate below 2^24, hence exact). */
    static final long F32_EXACT_BITS = 1L << 23;

    private HammingDistances() {
    }

    /**
     * The (Np, Nq) matrix of Hamming distances between the rows of {@code p} and of {@code q}, as an
     * {@link DType#I32} tensor, computed on {@code backend}.
     *
     * @throws IllegalArgumentException if the two sets have different bit counts
     */
    public static Tensor compute(Backend backend, PackedPatterns p, PackedPatterns q, Progress listener) {
        Objects.requireNonNull(p, "p");
        return compute(backend, p, q, listener, p.bits() <= F32_EXACT_BITS ? DType.F32 : DType.F64);
    }

    /** {@link #compute(Backend, PackedPatterns, PackedPatterns, Progress)} with the GEMM in {@code dtype}. */
    static Tensor compute(Backend backend, PackedPatterns p, PackedPatterns q, Progress listener,
            DType dtype) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(p, "p");
        Objects.requireNonNull(q, "q");
        if (p.bits() != q.bits()) {
            throw new IllegalArgumentException("q: expected patterns of " + p.bits() + " bits like p but they have "
                    + q.bits());
        }
        long nq = q.rows();
        Tensor out = Tensor.allocate(DType.I32, p.rows(), nq);
        if (p.rows() == 0 || nq == 0) {
            return out;
        }
        long k = p.bits() + 2;
        try (DeviceMatrix b = backend.upload(expand(q, 0, nq, dtype, -2, false))) {
            TileEngine.of(backend, dtype.byteSize() * (k + nq)).withProgress(listener).run(p.rows(), (scope, from, to) -> {
                DeviceMatrix a = scope.track(backend.upload(expand(p, from, to, dtype, 1, true)));
                DeviceMatrix d = scope.allocateUninitialised(dtype, to - from, nq);
                backend.gemm(false, true, 1, a, b, 0, d);
                Tensor host = backend.download(d);
                Tensor rows = out.slice(from, to);
                for (long i = 0; i < host.size(); i++) {
                    rows.setFlat(i, Math.rint(host.getFlat(i)));
                }
            });
        }
        return out;
    }

    /**
     * Rows {@code [from, to)} of {@code s} as a (to - from, H + 2) matrix: {@code bitValue} at set bits,
     * then {@code |p|, 1} ({@code popFirst}) or {@code 1, |p|}.
     */
    private static Tensor expand(PackedPatterns s, long from, long to, DType dtype, double bitValue, boolean popFirst) {
        long h = s.bits();
        long k = h + 2;
        Tensor t = Tensor.allocate(dtype, to - from, k);
        for (long i = from; i < to; i++) {
            long base = (i - from) * k;
            for (int w = 0; w < s.wordsPerRow(); w++) {
                long word = s.word(i, w);
                while (word != 0) {
                    t.setFlat(base + ((long) w << 6) + Long.numberOfTrailingZeros(word), bitValue);
                    word &= word - 1;
                }
            }
            double pop = s.popCount(i);
            t.setFlat(base + h, popFirst ? pop : 1);
            t.setFlat(base + h + 1, popFirst ? 1 : pop);
        }
        return t;
    }
}
