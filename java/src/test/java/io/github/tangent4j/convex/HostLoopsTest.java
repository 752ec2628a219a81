package io.github.tangent4j.convex;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The chunked host loops of the interior-point method against plain loops, at lengths that run on one chunk and
 * on many (the parallel path): every element visited exactly once, the chunk minima combined into the smallest
 * value, and the linear step's largest feasible alpha equal to the element-by-element ratio test.
 */
class HostLoopsTest {
    private static final int[] LENGTHS = {0, 1, 1000, HostLoops.CHUNK * 2 - 1, HostLoops.CHUNK * 7 + 13};

    @Test
    void visitsEveryElementOnce() {
        for (int n : LENGTHS) {
            AtomicIntegerArray visits = new AtomicIntegerArray(n);
            HostLoops.forEach(n, (from, to) -> {
                for (int i = from; i < to; i++) {
                    visits.incrementAndGet(i);
                }
            });
            for (int i = 0; i < n; i++) {
                assertEquals(1, visits.get(i), "n " + n + " element " + i);
            }
        }
    }

    @Test
    void minimumOverChunksIsTheSmallestValue() {
        for (int n : LENGTHS) {
            double[] v = new SplittableRandom(n).doubles(n, -1, 1).toArray();
            double expected = Double.POSITIVE_INFINITY;
            for (double x : v) {
                expected = Math.min(expected, x);
            }
            double min = HostLoops.min(n, (from, to) -> {
                double m = Double.POSITIVE_INFINITY;
                for (int i = from; i < to; i++) {
                    m = Math.min(m, v[i]);
                }
                return m;
            });
            assertEquals(expected, min, 0, "n " + n);
        }
    }

    @Test
    void linearStepIsTheRatioTest() {
        for (int n : LENGTHS) {
            SplittableRandom rnd = new SplittableRandom(31 + n);
            double[] u = rnd.doubles(n, 1e-3, 2).toArray();
            double[] w = rnd.doubles(n, 1e-3, 2).toArray();
            double[] du = rnd.doubles(n, -1, 1).toArray();
            double[] dw = rnd.doubles(n, -1, 1).toArray();
            assertEquals(ratioTest(u, du, w, dw), ReluInteriorPoint.linearStep(u, du, w, dw),
                    1e-14 * Math.min(1, ratioTest(u, du, w, dw)), "n " + n);
            double[] up = rnd.doubles(n, 0, 1).toArray();   // directions that never leave the orthant
            assertEquals(Double.POSITIVE_INFINITY, ReluInteriorPoint.linearStep(u, up, w, up), "n " + n);
        }
    }

    private static double ratioTest(double[] u, double[] du, double[] w, double[] dw) {
        double alpha = Double.POSITIVE_INFINITY;
        for (int i = 0; i < u.length; i++) {
            if (du[i] < 0) {
                alpha = Math.min(alpha, -u[i] / du[i]);
            }
            if (dw[i] < 0) {
                alpha = Math.min(alpha, -w[i] / dw[i]);
            }
        }
        return alpha;
    }
}
