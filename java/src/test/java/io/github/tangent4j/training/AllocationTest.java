package io.github.tangent4j.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.ParameterLayout;
import io.github.tangent4j.nn.ParameterMask;
import io.github.tangent4j.tensor.Tensor;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each allocation puts its M parameters where its definition says, masks of growing M are nested, and bad M is refused. */
class AllocationTest {
    private static final Mlp MLP = Fixtures.network(1, Activation.RELU, true, 3, 5, 4, 2);   // weights 15 + 20 + 8

    private static final String[] ALL = {"random", "layer:1", "layer:2", "layer:3", "rows", "columns", "spread"};

    @Test
    void masksOfGrowingMAreNestedAndHoldMParameters() {
        for (String name : ALL) {
            for (boolean biases : new boolean[] {false, true}) {
                Allocation a = Allocation.parse(name);
                assertEquals(name, a.name());
                long cap = a.capacity(MLP, biases);
                int[] order = a.order(MLP, biases, 7);
                assertEquals(cap, new HashSet<>(Arrays.stream(order).boxed().toList()).size(), name + ": distinct");
                boolean[] previous = new boolean[(int) MLP.parameterCount()];
                for (long m = 1; m <= cap; m++) {
                    ParameterMask mask = a.mask(MLP, m, biases, 7);
                    assertEquals(m, mask.count(), name);
                    for (int p = 0; p < previous.length; p++) {
                        assertTrue(!previous[p] || mask.trainable(p), name + ": m = " + m + " drops parameter " + p);
                        previous[p] = mask.trainable(p);
                        if (!biases) {
                            assertTrue(!mask.trainable(p) || isWeight(p), name + ": a bias without --biases");
                        }
                    }
                }
                assertArrayEquals(order, a.order(MLP, biases, 7), "seeded");
            }
        }
        assertEquals(43, Allocation.parse("random").capacity(MLP, false));
        assertEquals(43 + 11, Allocation.parse("random").capacity(MLP, true));
        assertEquals(20, Allocation.parse("layer:2").capacity(MLP, false));
    }

    private static boolean isWeight(long p) {
        ParameterLayout layout = ParameterLayout.of(MLP);
        for (int l = 0; l < layout.layers(); l++) {
            long w = layout.weightOffset(l);
            if (p >= w && p < w + MLP.layers().get(l).out() * MLP.layers().get(l).in()) {
                return true;
            }
        }
        return false;
    }

    /** Per layer, (rows used, columns used, max per row, min per used row, max per column, min per column). */
    private static int[][] counts(Allocation a, long m) {
        Map<String, Tensor> dict = a.stateDict(MLP, m, false, 3);
        int[][] c = new int[3][];
        for (int l = 0; l < 3; l++) {
            Tensor w = dict.get(2 * l + ".weight");
            int out = (int) w.dim(0);
            int in = (int) w.dim(1);
            int[] rows = new int[out];
            int[] cols = new int[in];
            for (int u = 0; u < out; u++) {
                for (int v = 0; v < in; v++) {
                    if (w.get(u, v) != 0) {
                        rows[u]++;
                        cols[v]++;
                    }
                }
            }
            c[l] = new int[] {(int) Arrays.stream(rows).filter(r -> r > 0).count(),
                (int) Arrays.stream(cols).filter(r -> r > 0).count(), Arrays.stream(rows).max().getAsInt(),
                Arrays.stream(rows).min().getAsInt(), Arrays.stream(cols).max().getAsInt(),
                Arrays.stream(cols).min().getAsInt(), Arrays.stream(rows).sum()};
        }
        return c;
    }

    @Test
    void eachAllocationPutsItsWeightsWhereItsDefinitionSays() {
        // layer:2 (5 x 4... stored (4, 5)): 7 weights fill row 0 and two entries of row 1
        int[][] layer = counts(Allocation.layer(2), 7);
        assertEquals(7, layer[1][6]);
        assertEquals(2, layer[1][0]);
        assertEquals(0, layer[0][6] + layer[2][6]);
        // rows: the longest rows are layer 2's and 3's (5 and 4 inputs); 12 weights = 2 full rows of 5 + 2
        int[][] rows = counts(Allocation.parse("rows"), 12);
        assertEquals(3, rows[1][0], "rows used");
        assertEquals(12, rows[1][6]);
        // columns: layer 2's columns have 4 entries, the longest with layer 1's 5? layer 1 columns have 5
        int[][] cols = counts(Allocation.parse("columns"), 10);
        assertEquals(2, cols[0][1], "two whole columns of layer 1 (5 entries each)");
        assertEquals(10, cols[0][6]);
        // spread: 12 weights = 4 per layer; within each layer rows and columns within one of each other
        int[][] spread = counts(Allocation.parse("spread"), 12);
        for (int l = 0; l < 3; l++) {
            assertEquals(4, spread[l][6], "layer " + l);
        }
        spread = counts(Allocation.parse("spread"), 30);
        for (int l = 0; l < 3; l++) {
            assertTrue(spread[l][2] - spread[l][3] <= 1, "rows balanced in layer " + l);
            assertTrue(spread[l][4] - spread[l][5] <= 1, "columns balanced in layer " + l);
        }
        assertEquals(8, spread[2][6], "layer 3 is full at 8");
        assertEquals(11, spread[0][6]);
        assertEquals(11, spread[1][6]);
    }

    @Test
    void badAllocationsAndMAreRefusedWithOneLine() {
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> Allocation.parse("random").mask(MLP, 44, false, 0));
        assertEquals("m: expected 1 to 43 (the weights of Mlp(3, 5, 4, 2) relu STANDARD F64) but was 44", big.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Allocation.parse("layer:2").mask(MLP, 21, false, 0))
                .getMessage().contains("of layer 2"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Allocation.parse("random").mask(MLP, 0, false, 0))
                .getMessage().startsWith("m: expected 1 to 43"));
        assertEquals("allocation layer:4: expected a layer in 1..3 of Mlp(3, 5, 4, 2) relu STANDARD F64 but was 4",
                assertThrows(IllegalArgumentException.class, () -> Allocation.parse("layer:4").order(MLP, false, 0))
                        .getMessage());
        assertEquals("allocation 'diagonal': expected random, layer:L, rows, columns or spread",
                assertThrows(IllegalArgumentException.class, () -> Allocation.parse("diagonal")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Allocation.parse("layer:x")).getMessage()
                .contains("layer:L"));
        Set<String> names = new HashSet<>(Arrays.asList(ALL));
        assertEquals(7, names.size());
    }
}
