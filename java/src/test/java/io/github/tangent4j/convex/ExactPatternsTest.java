package io.github.tangent4j.convex;

import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.patterns.DistinctPatterns;
import io.github.tangent4j.patterns.PackedPatterns;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.testing.Gaussian;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exact enumeration against Cover's count (Cover 1965: N points in general position in R^d' have
 * {@code C(N, d') = 2 sum_{k < d'} binom(N - 1, k)} homogeneous dichotomies) and against dense sampling.
 */
class ExactPatternsTest {
    static List<String> backends() {
        return TestBackends.names();
    }

    static long cover(int n, int d) {
        long c = 0;
        for (int k = 0; k < d; k++) {
            c += WedgeProducts.binomial(n - 1, k);
        }
        return 2 * c;
    }

    static Tensor gaussian(long seed, int n, int d) {
        return Gaussian.matrix(seed, n, d);
    }

    @Test
    void coversCountInGeneralPosition() {
        for (int d = 1; d <= 3; d++) {
            for (int n : new int[] {1, 2, 5, 9, 14}) {
                Tensor x = gaussian(10L * d + n, n, d);
                assertEquals(cover(n, d), DistinctPatterns.of(ExactPatterns.enumerate(x)).count(),
                        "homogeneous d = " + d + ", N = " + n);
            }
        }
        // with the bias the all-zero pattern always exists and is dropped
        for (int d = 1; d <= 2; d++) {
            int n = 11;
            Tensor lifted = Lifted.of(gaussian(d, n, d), true);
            assertEquals(cover(n, d + 1) - 1, PatternSet.all(lifted).count(), "bias, d = " + d);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void denseSamplingFindsOnlyEnumeratedPatterns(String backend) {
        Tensor lifted = Lifted.of(gaussian(5, 9, 2), true);
        PatternSet all = PatternSet.all(lifted);
        Set<String> exact = keys(all.patterns());
        TestBackends.with(backend, b -> {
            PatternSet sampled = PatternSet.sampled(b, lifted, 5_000, 3);
            Set<String> seen = keys(sampled.patterns());
            assertTrue(exact.containsAll(seen), "a sampled pattern is not among the enumerated ones");
            // regions of small solid angle may be missed: sampling finds most, never more
            assertTrue(seen.size() >= 0.8 * exact.size(), seen.size() + " of " + exact.size() + " patterns sampled");
        });
    }

    @Test
    void degenerateDataUseTheirSpan() {
        // points on a line through the origin in 3-D: the patterns of the 1-D coordinates, 2 of them
        Tensor x = Tensor.of(new double[] {1, 2, 3, -2, -4, -6, 0.5, 1, 1.5}, 3, 3);
        assertEquals(2, DistinctPatterns.of(ExactPatterns.enumerate(x)).count());
        // collinear samples in 2-D with the bias behave as 1-D data with the bias: 2N - 1 nonzero patterns
        Tensor line = Tensor.of(new double[] {0, 1, 1, 3, 2, 5, -1, -1}, 4, 2);
        assertEquals(7, PatternSet.all(Lifted.of(line, true)).count());
    }

    @Test
    void refusesHigherDimensions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PatternSet.all(gaussian(1, 5, 4)));
        assertTrue(e.getMessage().startsWith("x: exact enumeration"), e.getMessage());
    }

    private static Set<String> keys(PackedPatterns p) {
        Set<String> s = new HashSet<>();
        for (long r = 0; r < p.rows(); r++) {
            StringBuilder b = new StringBuilder();
            for (long j = 0; j < p.bits(); j++) {
                b.append(p.bit(r, j) ? '1' : '0');
            }
            s.add(b.toString());
        }
        return s;
    }
}
