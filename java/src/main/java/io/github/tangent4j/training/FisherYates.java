package io.github.tangent4j.training;

import java.util.SplittableRandom;

/** The Fisher–Yates shuffle (Knuth, TAOCP vol. 2, algorithm 3.4.2 P), seeded through the caller's generator. */
final class FisherYates {
    private FisherYates() {
    }

    /** Permutes {@code a} in place uniformly at random, drawing from {@code rng}. */
    static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
