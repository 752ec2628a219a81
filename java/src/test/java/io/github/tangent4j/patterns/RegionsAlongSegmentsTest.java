package io.github.tangent4j.patterns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.DeviceMlp;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RegionsAlongSegmentsTest {
    /**
     * 1-3-3-1 ReLU network with breakpoints in x at 0.25 and 0.75 (two units at once) in layer 1, and
     * 0.5, 0.625, 0.8125 in layer 2; its third layer-2 unit is relu(x - 0.25), which touches zero at 0.25
     * without adding a breakpoint.
     */
    static Mlp handMade(DType dtype) {
        Layer l1 = new Layer(Tensor.of(new double[] {1, -1, 2}, 3, 1), Tensor.of(new double[] {-0.25, 0.75, -1.5}, 3));
        Layer l2 = new Layer(Tensor.of(new double[] {1, 0, 0, 0, 1, 1, 1, 0, 0}, 3, 3),
                Tensor.of(new double[] {-0.25, -0.125, 0}, 3));
        Layer l3 = new Layer(Tensor.of(new double[] {1, 1, 1}, 1, 3), null);
        return new Mlp(List.of(l1, l2, l3), Activation.RELU, Parameterization.STANDARD).to(dtype);
    }

    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void handMadeNetworkHasItsKnownBreakpoints(String backend) {
        TestBackends.with(backend, b -> {
            for (DType dtype : List.of(DType.F64, DType.F32)) {
                Mlp mlp = handMade(dtype);
                Tensor a = TestBackends.tensor(dtype, new double[] {0, -1, 1}, 3, 1);
                Tensor e = TestBackends.tensor(dtype, new double[] {1, 3, 0}, 3, 1);
                List<SegmentRegions> r = RegionsAlongSegments.compute(b, mlp, a, e);
                double[] x = {0.25, 0.5, 0.625, 0.75, 0.8125};
                double[][] expected = {x, new double[5], new double[5]};
                for (int k = 0; k < 5; k++) {
                    expected[1][k] = (x[k] + 1) / 4;
                    expected[2][4 - k] = 1 - x[k];
                }
                for (int s = 0; s < 3; s++) {
                    assertArrayEquals(expected[s], r.get(s).breakpoints(), 1e-15, "segment " + s + " " + dtype);
                    assertEquals(6, r.get(s).pieces());
                    assertPiecePatternsMatchScalar(mlp, a, e, s, r.get(s));
                }
                // segments with inexact ends: rounding must not split a piece where relu(x - 0.25) touches 0
                int k = 40;
                Tensor a2 = Tensor.allocate(dtype, k, 1);
                Tensor e2 = Tensor.allocate(dtype, k, 1);
                for (int s = 0; s < k; s++) {
                    a2.setFlat(s, -0.05 - 0.0173 * s);
                    e2.setFlat(s, 1 + 0.0311 * s);
                }
                List<SegmentRegions> r2 = RegionsAlongSegments.compute(b, mlp, a2, e2);
                for (int s = 0; s < k; s++) {
                    double lo = a2.getFlat(s);
                    double hi = e2.getFlat(s);
                    double[] t = Arrays.stream(x).map(v -> (v - lo) / (hi - lo)).toArray();
                    assertArrayEquals(t, r2.get(s).breakpoints(), dtype == DType.F64 ? 1e-14 : 1e-6, "segment " + s);
                }
            }
        });
    }

    /** The pattern of every piece equals the scalar pattern at the piece's midpoint. */
    static void assertPiecePatternsMatchScalar(Mlp mlp, Tensor a, Tensor b, int s, SegmentRegions r) {
        double[] cuts = r.breakpoints();
        for (int k = 0; k < r.pieces(); k++) {
            double lo = k == 0 ? 0 : cuts[k - 1];
            double hi = k == cuts.length ? 1 : cuts[k];
            boolean[] ref = ScalarPatterns.pattern(mlp, point(a, b, s, (lo + hi) / 2));
            for (int j = 0; j < ref.length; j++) {
                assertEquals(ref[j], r.patterns().bit(k, j), "segment " + s + " piece " + k + " unit " + j);
            }
        }
    }

    static double[] point(Tensor a, Tensor b, long s, double t) {
        double[] x = new double[(int) a.dim(1)];
        for (int j = 0; j < x.length; j++) {
            x[j] = a.get(s, j) + t * (b.get(s, j) - a.get(s, j));
        }
        return x;
    }

    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void breakpointsAgreeWithDenseSamplingAndBisection(String backend) {
        int grid = 20000;
        TestBackends.with(backend, b -> {
            for (Activation phi : Fixtures.piecewiseLinear()) {
                Mlp mlp = Mlp.random(21, phi, Parameterization.ntk(1.4, 0.3), DType.F64, 3, 12, 10, 8, 2);
                Tensor a = Fixtures.gaussian(22, DType.F64, 5, 3);
                Tensor e = Fixtures.gaussian(23, DType.F64, 5, 3);
                List<SegmentRegions> result = RegionsAlongSegments.compute(b, mlp, a, e);
                int total = 0;
                for (int s = 0; s < 5; s++) {
                    double[] cuts = result.get(s).breakpoints();
                    for (int k = 1; k < cuts.length; k++) {
                        assertTrue(cuts[k] - cuts[k - 1] > 1.0 / grid, "fixture: the grid resolves every piece");
                    }
                    int changes = 0;
                    boolean[] left = ScalarPatterns.pattern(mlp, point(a, e, s, 0));
                    for (int g = 1; g <= grid; g++) {
                        double tl = (g - 1.0) / grid;
                        double tr = (double) g / grid;
                        boolean[] right = ScalarPatterns.pattern(mlp, point(a, e, s, tr));
                        if (!Arrays.equals(left, right)) {
                            double found = bisect(mlp, a, e, s, tl, tr, left);
                            assertTrue(changes < cuts.length, "more pattern changes than breakpoints on segment " + s);
                            assertEquals(found, cuts[changes], 1e-9, phi + " segment " + s + " change " + changes);
                            changes++;
                        }
                        left = right;
                    }
                    assertEquals(cuts.length, changes, phi + " segment " + s);
                    assertPiecePatternsMatchScalar(mlp, a, e, s, result.get(s));
                    total += changes;
                }
                assertTrue(total > 20, "the fixture crosses many regions: " + total);
            }
        });
    }

    /** The t in (lo, hi) where the pattern stops being {@code left}, to 1e-13. */
    static double bisect(Mlp mlp, Tensor a, Tensor b, int s, double lo, double hi, boolean[] left) {
        while (hi - lo > 1e-13) {
            double mid = (lo + hi) / 2;
            if (Arrays.equals(left, ScalarPatterns.pattern(mlp, point(a, b, s, mid)))) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void aBatchEqualsOneSegmentAtATime(String backend) {
        TestBackends.with(backend, b -> {
            Mlp mlp = Mlp.random(31, Activation.RELU, Parameterization.STANDARD, DType.F64, 4, 64, 48, 1);
            int k = 260;   // more than one batch of segments (256 for width 64)
            Tensor a = Fixtures.gaussian(32, DType.F64, k, 4);
            Tensor e = Fixtures.gaussian(33, DType.F64, k, 4);
            List<SegmentRegions> batch;
            try (DeviceMlp d = DeviceMlp.upload(b, mlp)) {
                long[] last = new long[1];
                batch = RegionsAlongSegments.compute(d, a, e, (done, total) -> last[0] = done);
                assertEquals(k, last[0]);
                assertEquals(k, batch.size());
                for (int s = 0; s < k; s += 37) {
                    SegmentRegions one = RegionsAlongSegments.compute(d, a.slice(s, s + 1), e.slice(s, s + 1), null).get(0);
                    assertArrayEquals(one.breakpoints(), batch.get(s).breakpoints(), 1e-12, "segment " + s);
                    for (int p = 0; p < one.pieces(); p++) {
                        assertTrue(one.patterns().rowEquals(p, batch.get(s).patterns(), p));
                    }
                }
            }
        });
    }

    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void rejectsZeroLengthSegmentsSmoothActivationsAndShapes(String backend) {
        TestBackends.with(backend, b -> {
            Mlp mlp = handMade(DType.F64);
            Tensor a = TestBackends.tensor(DType.F64, new double[] {0, 0.5}, 2, 1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RegionsAlongSegments.compute(b, mlp, a, TestBackends.tensor(DType.F64, new double[] {1, 0.5}, 2, 1)));
            assertEquals("b: row 1 equals row 1 of a (a zero-length segment)", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> RegionsAlongSegments.compute(b, mlp, a,
                    TestBackends.tensor(DType.F64, new double[] {1}, 1, 1)));
            assertTrue(e.getMessage().startsWith("b: expected shape (2, 1)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> RegionsAlongSegments.compute(b,
                    mlp.withActivation(Activation.TANH), a, a));
            assertTrue(e.getMessage().contains("tanh"), e.getMessage());
        });
    }
}
