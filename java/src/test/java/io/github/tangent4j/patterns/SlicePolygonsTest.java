package io.github.tangent4j.patterns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SlicePolygonsTest {
    /** Polygons tile the square, have distinct patterns, and each one's pattern is the scalar pattern inside it. */
    static void assertExactTiling(Mlp mlp, Tensor o, Tensor u, Tensor v, SlicePolygons p) {
        double total = 0;
        for (int k = 0; k < p.count(); k++) {
            double area = p.area(k);
            assertTrue(area > 0, "polygon " + k + " is counter-clockwise and not empty: " + area);
            total += area;
            double[] s = p.s(k);
            double[] t = p.t(k);
            double cs = 0;
            double ct = 0;
            for (int i = 0; i < s.length; i++) {
                cs += s[i] / s.length;
                ct += t[i] / s.length;
            }
            double[] x = point(o, u, v, cs, ct);
            if (ScalarPatterns.margin(mlp, x) < 1e-12) {
                continue;
            }
            boolean[] ref = ScalarPatterns.pattern(mlp, x);
            for (int j = 0; j < ref.length; j++) {
                assertEquals(ref[j], p.patterns().bit(k, j), "polygon " + k + " unit " + j);
            }
        }
        assertEquals(4, total, 1e-9, "the polygons tile the square");
        assertEquals(p.count(), DistinctPatterns.of(p.patterns()).count(), "one polygon per pattern");
    }

    static double[] point(Tensor o, Tensor u, Tensor v, double s, double t) {
        double[] x = new double[(int) o.size()];
        for (int d = 0; d < x.length; d++) {
            x[d] = o.getFlat(d) + s * u.getFlat(d) + t * v.getFlat(d);
        }
        return x;
    }

    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void linesInGeneralPositionGiveOnePlusKPlusKChooseTwoPolygons(String backend) {
        TestBackends.with(backend, b -> {
            int[][] cases = {{5, 25}, {7, 15}, {3, 40}};
            for (int[] c : cases) {
                int k = c[0];
                Mlp mlp = SliceRegionsTest.tangentLines(k, c[1] / 100.0);
                Tensor o = SliceRegionsTest.vec(0, 0);
                Tensor u = SliceRegionsTest.vec(1, 0);
                Tensor v = SliceRegionsTest.vec(0, 1);
                SlicePolygons p = SlicePolygons.compute(b, mlp, o, u, v);
                assertEquals(1 + k + k * (k - 1) / 2, p.count(), "k = " + k);
                assertExactTiling(mlp, o, u, v, p);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void deepNetworkPolygonsAgreeWithTheRaster(String backend) {
        TestBackends.with(backend, b -> {
            for (Activation phi : Fixtures.piecewiseLinear()) {
                Mlp mlp = Mlp.random(81, phi, Parameterization.ntk(1.3, 0.4), DType.F64, 3, 10, 8, 6, 1);
                Tensor o = SliceRegionsTest.vec(0.1, -0.2, 0.3);
                Tensor u = SliceRegionsTest.vec(1.5, 0.2, -0.4);
                Tensor v = SliceRegionsTest.vec(-0.3, 1.1, 0.8);
                SlicePolygons p = SlicePolygons.compute(b, mlp, o, u, v);
                assertExactTiling(mlp, o, u, v, p);
                int w = 61;
                int h = 47;
                SliceRegions raster = SliceRegions.compute(b, mlp, o, u, v, w, h);
                assertTrue(raster.regions() <= p.count() && raster.regions() > 10,
                        "raster regions " + raster.regions() + " vs polygons " + p.count());
                PackedPatterns rasterPatterns = raster.regionPatterns();
                int checked = 0;
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        double s = SliceRegions.s(j, w);
                        double t = SliceRegions.t(i, h);
                        int inside = containing(p, s, t);
                        if (inside >= 0) {
                            checked++;
                            assertTrue(p.patterns().rowEquals(inside, rasterPatterns, raster.ids().getLong(i, j)),
                                    phi + " pixel " + i + ", " + j);
                        }
                    }
                }
                assertTrue(checked > 0.95 * w * h, "pixels inside a polygon by a margin: " + checked);
            }
        });
    }

    /** The polygon strictly containing (s, t) by a margin of 1e-9, or -1 (near an edge). */
    static int containing(SlicePolygons p, double s, double t) {
        for (int k = 0; k < p.count(); k++) {
            double[] x = p.s(k);
            double[] y = p.t(k);
            boolean in = true;
            for (int i = 0; i < x.length && in; i++) {
                int i1 = (i + 1) % x.length;
                double ex = x[i1] - x[i];
                double ey = y[i1] - y[i];
                double cross = ex * (t - y[i]) - ey * (s - x[i]);
                in = cross > 1e-9 * Math.hypot(ex, ey);
            }
            if (in) {
                return k;
            }
        }
        return -1;
    }

    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void rejectsParallelDirectionsAndSmoothActivations(String backend) {
        TestBackends.with(backend, b -> {
            Mlp mlp = SliceRegionsTest.tangentLines(3, 0.3);
            Tensor o = SliceRegionsTest.vec(0, 0);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SlicePolygons.compute(b, mlp, o, SliceRegionsTest.vec(1, 1), SliceRegionsTest.vec(2, 2)));
            assertTrue(e.getMessage().startsWith("v: expected a direction not parallel to u"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> SlicePolygons.compute(b,
                    mlp.withActivation(Activation.TANH), o, SliceRegionsTest.vec(1, 0), SliceRegionsTest.vec(0, 1)));
            assertTrue(e.getMessage().contains("tanh"), e.getMessage());
        });
    }
}
