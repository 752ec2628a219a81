package io.github.tangent4j.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.backend.TestBackends;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The benchmark: adding trainable weights to a mask never turns a match into a miss (every allocation's
 * masks are nested in M; for linear students LM finds it on its own, for ReLU students the table certifies
 * it from the smaller mask's fit), the table does not depend on the number of workers, and bad settings are
 * refused.
 */
class SubsetBenchmarkTest {
    private static final List<Allocation> ALL = List.of(Allocation.parse("random"), Allocation.parse("layer:1"),
            Allocation.parse("layer:2"), Allocation.parse("rows"), Allocation.parse("columns"),
            Allocation.parse("spread"));

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void matchingNeverGetsLostWhenTrainableWeightsAreAdded(String backendName) {
        long[] ms = {2, 5, 8, 12};
        SubsetBenchmark bench = SubsetBenchmark.of(new long[] {3, 4, 2}, Activation.IDENTITY).withAllocations(ALL)
                .withM(ms).withTrials(2, 4, 11).withFit(1e-20, 60);
        TestBackends.with(backendName, backend -> {
            int matches = 0;
            for (Allocation a : ALL) {
                for (int t = 0; t < 2; t++) {
                    boolean matched = false;
                    for (long m : ms) {
                        if (m > a.capacity(Fixtures.network(0, Activation.IDENTITY, true, 3, 4, 2), false)) {
                            continue;
                        }
                        SubsetBenchmark.Trial r = bench.trial(backend, a, m, t);
                        assertTrue(!matched || r.matched(), a + ", trial " + t + ": matched below M = " + m
                                + " but not at it (loss " + r.relativeLoss() + ")");
                        matched = r.matched();
                        matches += matched ? 1 : 0;
                        assertTrue(r.rank() <= Math.min(m, bench.equations()), "rank " + r.rank());
                    }
                }
            }
            assertTrue(matches > 5 && matches < 40, "both outcomes occur: " + matches);
            List<SubsetBenchmark.Row> rows = bench.withAllocations(List.of(ALL.get(0), ALL.get(5))).run(backend);
            assertEquals(8, rows.size());
            for (int i = 1; i < rows.size(); i++) {
                if (rows.get(i).allocation().equals(rows.get(i - 1).allocation())) {
                    assertTrue(rows.get(i).matchProbability() >= rows.get(i - 1).matchProbability(), rows.toString());
                }
            }
            assertEquals(1.0, rows.get(7).matchProbability(), "spread with M = 12 >= the functional dimension 10");
        });
    }

    @Test
    void theTableDoesNotDependOnTheNumberOfWorkers() {
        SubsetBenchmark bench = SubsetBenchmark.of(new long[] {3, 5, 1}, Activation.RELU)
                .withAllocations(List.of(Allocation.parse("random"), Allocation.parse("spread"))).withM(3, 6, 9)
                .withTrials(4, 6, 3).withFit(1e-20, 40);
        TestBackends.with("java", backend -> {
            List<SubsetBenchmark.Row> one = bench.run(backend);
            List<SubsetBenchmark.Row> three = bench.withWorkers(3, () -> TestBackends.open("java")).run(backend);
            assertEquals(one, three);
            assertEquals(6, one.get(0).equations());
            for (int i = 1; i < one.size(); i++) {
                if (one.get(i).allocation().equals(one.get(i - 1).allocation())) {
                    assertTrue(one.get(i).matchProbability() >= one.get(i - 1).matchProbability(), one.toString());
                    assertTrue(one.get(i).medianLoss() <= one.get(i - 1).medianLoss(), one.toString());
                }
            }
        });
    }

    @Test
    void badSettingsAreRefusedWithOneLine() {
        SubsetBenchmark bench = SubsetBenchmark.of(new long[] {3, 4, 2}, Activation.RELU);
        assertEquals("m: expected 1 to 20 (the weights of Mlp(3, 4, 2) relu STANDARD F64) but was 21",
                assertThrows(IllegalArgumentException.class, () -> TestBackends.with("java",
                        b -> bench.withM(21).withAllocations(List.of(Allocation.parse("random"))).run(b))).getMessage());
        assertEquals("trials: expected >= 1 but was 0",
                assertThrows(IllegalArgumentException.class, () -> bench.withTrials(0, 3, 1)).getMessage());
        assertEquals("workers: expected >= 1 but was 0",
                assertThrows(IllegalArgumentException.class, () -> bench.withWorkers(0, null)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SubsetBenchmark.of(new long[] {3}, Activation.RELU))
                .getMessage().startsWith("widths: expected at least (D, O)"));
    }
}
