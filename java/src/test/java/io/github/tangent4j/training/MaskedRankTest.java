package io.github.tangent4j.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.kernels.FunctionalDimension;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.ParameterMask;
import io.github.tangent4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rank of the masked parameter Jacobian of linear networks {@code f = A W B x} against the closed
 * forms: M trainable weights in one row of W give {@code min(M, D)} (the row sees the D-dimensional span
 * of B X^T), in one column {@code min(M, O)}, the whole of W {@code rank(A) rank(B X^T)} (the Jacobian is
 * their Kronecker product), and the whole network {@code r (D + O - r)} (+ O with biases; Trager, Kohn and
 * Bruna 2020). Each rank is also checked against {@link FunctionalDimension} with the same mask.
 */
class MaskedRankTest {
    private static final long D = 3;
    private static final long O = 2;

    private static long rank(Backend backend, Mlp mlp, LongPredicate trainable, Tensor x) {
        ParameterMask mask = Fixtures.mask(mlp, trainable);
        MaskedParameters params = MaskedParameters.of(mlp, mask);
        long ours;
        try (MaskedJacobian j = MaskedJacobian.upload(backend, mlp, params)) {
            ours = j.rank(mlp, x);
        }
        assertEquals(FunctionalDimension.of(mlp).withMask(mask).compute(backend, x).rank(), ours,
                "against kernels.FunctionalDimension");
        return ours;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void rowColumnAndLayerMasksOfLinearNetworksHaveTheClosedFormRanks(String backendName) {
        Mlp mlp = Fixtures.network(41, Activation.IDENTITY, false, D, 6, 5, O);
        Tensor x = Fixtures.gaussian(42, 8, D);
        long w2 = 6 * D;   // layer 2's weight (5 x 6) starts after layer 1's 6 x 3
        TestBackends.with(backendName, backend -> {
            for (long m : new long[] {1, 2, 3, 5, 6}) {
                assertEquals(Math.min(m, D), rank(backend, mlp, p -> p >= w2 && p < w2 + m, x), "row mask of " + m);
            }
            for (long m : new long[] {1, 2, 4, 5}) {
                assertEquals(Math.min(m, O), rank(backend, mlp, p -> p >= w2 && p < w2 + 30 && (p - w2) % 6 == 0
                        && (p - w2) / 6 < m, x), "column mask of " + m);
            }
            checkWholeLayer(backend, mlp, x, w2);
            // A of rank 1: the two output rows equal
            List<Layer> layers = new ArrayList<>(mlp.layers());
            Tensor a = layers.get(2).weight().copy();
            for (long v = 0; v < 5; v++) {
                a.set(a.get(0, v), 1, v);
            }
            layers.set(2, new Layer(a, null));
            checkWholeLayer(backend, new Mlp(layers, mlp.activation(), mlp.parameterization()), x, w2);
        });
    }

    private static void checkWholeLayer(Backend backend, Mlp mlp, Tensor x, long w2) {
        DMatrixRMaj a = Fixtures.matrix(mlp.layers().get(2).weight());
        DMatrixRMaj bxt = Fixtures.times(Fixtures.matrix(mlp.layers().get(0).weight()),
                Fixtures.transpose(Fixtures.matrix(x)));
        long expected = (long) Fixtures.rank(a) * Fixtures.rank(bxt);
        assertTrue(expected == 6 || expected == 3, "the construction: " + expected);
        assertEquals(expected, rank(backend, mlp, p -> p >= w2 && p < w2 + 30, x), "whole layer");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void fullDeepLinearNetworksHaveFunctionalDimensionRTimesDPlusOMinusR(String backendName) {
        TestBackends.with(backendName, backend -> {
            for (boolean biases : new boolean[] {false, true}) {
                for (long[] widths : new long[][] {{3, 6, 5, 2}, {4, 3, 5}, {2, 4, 4}}) {
                    Mlp mlp = Fixtures.network(43, Activation.IDENTITY, biases, widths);
                    Tensor x = Fixtures.gaussian(44, 12, widths[0]);
                    long r = Long.MAX_VALUE;
                    for (long w : widths) {
                        r = Math.min(r, w);
                    }
                    long expected = r * (widths[0] + widths[widths.length - 1] - r) + (biases ? widths[widths.length - 1] : 0);
                    assertEquals(expected, LinearTheory.functionalDimension(widths, biases));
                    assertEquals(expected, rank(backend, mlp, p -> true, x),
                            java.util.Arrays.toString(widths) + (biases ? " with biases" : ""));
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void theSingleLayerShortcutAgreesWithFitting(String backendName) {
        Mlp teacher = Fixtures.network(51, Activation.IDENTITY, true, 3, 4, 2);
        Mlp student = Fixtures.network(52, Activation.IDENTITY, true, 3, 4, 2);
        Tensor x = Fixtures.gaussian(53, 4, 3);
        TestBackends.with(backendName, backend -> {
            Tensor y = teacher.forward(backend, x);
            double target = 1e-20 * Fixtures.meanSquare(y);
            int solvable = 0;
            for (int layer = 1; layer <= 2; layer++) {
                for (long m = 2; m <= (layer == 1 ? 12 : 8); m += 2) {
                    ParameterMask mask = Allocation.layer(layer).mask(student, m, true, 5);
                    LinearTheory.SingleLayer s = LinearTheory.singleLayer(backend, student, mask, x, y);
                    MaskedFit.Result r = MaskedFit.of(student, mask).fit(backend, x, y);
                    String what = "layer " + layer + ", m " + m + ": " + s + " vs LM " + r.loss();
                    assertEquals(s.solvable(), r.loss() <= target, what);
                    assertEquals(s.solvable(), s.loss() <= target, what);
                    assertEquals(s.loss(), r.loss(), 1e-9 * Fixtures.meanSquare(y) + 1e-8 * s.loss(), what);
                    solvable += s.solvable() ? 1 : 0;
                }
            }
            assertTrue(solvable > 0 && solvable < 10, "both outcomes occur: " + solvable + " of 10 solvable");
        });
    }
}
