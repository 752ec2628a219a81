package io.github.tangent4j.patterns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SliceRegionsTest {
    /**
     * One hidden layer of k units whose zero sets are the k tangents of a circle of radius r at
     * evenly spaced angles (k odd: no two parallel, no three through a point), and every intersection
     * inside [-1, 1]^2: a line arrangement in general position with 1 + k + C(k, 2) regions.
     */
    static Mlp tangentLines(int k, double r) {
        double[] w = new double[2 * k];
        double[] b = new double[k];
        for (int i = 0; i < k; i++) {
            double theta = 2 * Math.PI * i / k;
            w[2 * i] = Math.cos(theta);
            w[2 * i + 1] = Math.sin(theta);
            b[i] = -r;
        }
        Layer hidden = new Layer(Tensor.of(w, k, 2), Tensor.of(b, k));
        Layer out = new Layer(Tensor.of(new double[k], 1, k), null);
        return new Mlp(List.of(hidden, out), Activation.RELU, Parameterization.STANDARD);
    }

    static Tensor vec(double... v) {
        return Tensor.of(v, v.length);
    }

    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void linesInGeneralPositionGiveOnePlusKPlusKChooseTwoRegions(String backend) {
        TestBackends.with(backend, b -> {
            int[][] cases = {{5, 25}, {7, 15}, {3, 40}};
            for (int[] c : cases) {
                int k = c[0];
                Mlp mlp = tangentLines(k, c[1] / 100.0);
                SliceRegions s = SliceRegions.compute(b, mlp, vec(0, 0), vec(1, 0), vec(0, 1), 400, 300);
                assertEquals(1 + k + k * (k - 1) / 2, s.regions(), "k = " + k);
                assertArrayEquals(new long[] {300, 400}, s.ids().shape());
                assertEquals(400L * 300, java.util.Arrays.stream(s.pixelCounts()).sum());
            }
        });
    }

    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void rasterAgreesWithThePatternsOfItsPixelCentres(String backend) {
        TestBackends.with(backend, b -> {
            for (Activation phi : Fixtures.piecewiseLinear()) {
                Mlp mlp = Mlp.random(41, phi, Parameterization.ntk(1.3, 0.4), DType.F64, 3, 20, 15, 1);
                Tensor o = vec(0.1, -0.2, 0.3);
                Tensor u = vec(1.5, 0.2, -0.4);
                Tensor v = Tensor.of(new double[] {-0.3, 1.1, 0.8}, 1, 3);
                int w = 37;
                int h = 23;
                SliceRegions s = SliceRegions.compute(b, mlp, o, u, v, w, h);
                Map<List<Boolean>, Long> idOf = new HashMap<>();
                Set<Long> ids = new HashSet<>();
                int checked = 0;
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        double[] x = new double[3];
                        for (int d = 0; d < 3; d++) {
                            x[d] = o.getFlat(d) + SliceRegions.s(j, w) * u.getFlat(d) + SliceRegions.t(i, h) * v.getFlat(d);
                        }
                        long id = s.ids().getLong(i, j);
                        if (ScalarPatterns.margin(mlp, x) < 1e-9) {
                            continue;
                        }
                        checked++;
                        List<Boolean> p = new ArrayList<>();
                        for (boolean bit : ScalarPatterns.pattern(mlp, x)) {
                            p.add(bit);
                        }
                        Long before = idOf.putIfAbsent(p, id);
                        assertEquals(before == null ? id : before, id, "pixel " + i + ", " + j + ": one id per pattern");
                        if (before == null) {
                            assertTrue(ids.add(id), "pixel " + i + ", " + j + ": one pattern per id");
                            for (int bit = 0; bit < p.size(); bit++) {
                                assertEquals(p.get(bit), s.regionPatterns().bit(id, bit));
                            }
                        }
                    }
                }
                assertTrue(checked > w * h - 5, "pixels checked " + checked);
                assertTrue(s.regions() > 5, "the fixture shows several regions: " + s.regions());
                assertEquals(0, s.ids().getLong(0, 0), "ids in raster order of first appearance");
            }
        });
    }

    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void rejectsBadDirectionsAndSizesBeforeAllocating(String backend) {
        TestBackends.with(backend, b -> {
            Mlp mlp = tangentLines(3, 0.3);
            Tensor o = vec(0, 0);
            assertMessage("u: expected a nonzero direction but it is zero", () -> slice(b, mlp, o, vec(0, 0), vec(0, 1), 4, 4));
            assertMessage("v: expected a nonzero direction but it is zero", () -> slice(b, mlp, o, vec(1, 0), vec(0, 0), 4, 4));
            assertMessage("v: expected a direction not parallel to u", () -> slice(b, mlp, o, vec(1, 2), vec(-2, -4), 4, 4));
            assertMessage("width: expected 1 to 32768 pixels but was 0", () -> slice(b, mlp, o, vec(1, 0), vec(0, 1), 0, 4));
            assertMessage("height: expected 1 to 32768 pixels but was -3", () -> slice(b, mlp, o, vec(1, 0), vec(0, 1), 4, -3));
            assertMessage("width: expected 1 to 32768 pixels but was 100000",
                    () -> slice(b, mlp, o, vec(1, 0), vec(0, 1), 100000, 4));
            assertMessage("size: expected at most 67108864 pixels but 30000x30000",
                    () -> slice(b, mlp, o, vec(1, 0), vec(0, 1), 30000, 30000));
            assertMessage("origin: expected shape (2,) or (1, 2)", () -> slice(b, mlp, vec(0, 0, 0), vec(1, 0), vec(0, 1), 4, 4));
            assertMessage("u: expected finite values", () -> slice(b, mlp, o, vec(Double.NaN, 0), vec(0, 1), 4, 4));
            assertMessage("activation: activation patterns need a piecewise-linear activation",
                    () -> slice(b, mlp.withActivation(Activation.ERF), o, vec(1, 0), vec(0, 1), 4, 4));
            assertEquals(0, b.openAllocations());
        });
    }

    static SliceRegions slice(Backend b, Mlp mlp, Tensor o, Tensor u, Tensor v, int w, int h) {
        return SliceRegions.compute(b, mlp, o, u, v, w, h);
    }

    static void assertMessage(String prefix, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void imageHasOneColourPerRegionAndDrawsBoundaries(String backend) {
        TestBackends.with(backend, b -> {
            SliceRegions s = SliceRegions.compute(b, tangentLines(5, 0.25), vec(0, 0), vec(1, 0), vec(0, 1), 120, 100);
            BufferedImage image = SliceImage.render(s.ids());
            assertEquals(120, image.getWidth());
            assertEquals(100, image.getHeight());
            int boundary = 0;
            for (int i = 0; i < 100; i++) {
                for (int j = 0; j < 120; j++) {
                    int id = (int) s.ids().getLong(i, j);
                    boolean edge = j + 1 < 120 && s.ids().getLong(i, j + 1) != id
                            || i + 1 < 100 && s.ids().getLong(i + 1, j) != id;
                    int rgb = image.getRGB(j, i) & 0xFFFFFF;
                    assertEquals(edge ? SliceImage.BOUNDARY : SliceImage.colour(id), rgb, "pixel " + i + ", " + j);
                    boundary += edge ? 1 : 0;
                }
            }
            assertTrue(boundary > 100 && boundary < 2000, "boundary pixels: " + boundary);
            Set<Integer> colours = new HashSet<>();
            for (int id = 0; id < 64; id++) {
                int c = SliceImage.colour(id);
                assertNotEquals(SliceImage.BOUNDARY, c);
                assertTrue(colours.add(c), "colour of region " + id + " is new");
            }
        });
    }
}
