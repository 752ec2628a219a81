package io.github.tangent4j.cli.demo;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.patterns.SliceImage;
import io.github.tangent4j.patterns.SliceRegions;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.awt.image.BufferedImage;

/**
 * The 2-D input plane of figures 1 and 6: the square [-{@value #HALF}, {@value #HALF}]^2 of R^2 and two
 * seeded random ReLU networks on it with the same number of parameters, a deep one (three hidden layers
 * of width w) and a shallow one (one hidden layer of width (w^2 + 3w) / 2: both have 2w^2 + 6w + 1
 * parameters). He initialisation: weights N(0, 2 / fan-in), biases N(0, {@value #BIAS_STD}^2)
 * (NTK parameterization with sigma_w^2 = 2).
 */
final class Plane {
    /** Half the side of the square shown. */
    static final double HALF = 1.5;
    /** The standard deviation of the biases. */
    static final double BIAS_STD = 0.3;
    /** The seed of both networks. */
    static final long SEED = 1;

    private Plane() {
    }

    /** The width w of the deep network's hidden layers. */
    static int deepWidth(DemoContext ctx) {
        return ctx.size(16, 6);
    }

    /** The deep network: 2-w-w-w-1. */
    static Mlp deep(DemoContext ctx) {
        int w = deepWidth(ctx);
        return network(SEED, 2, w, w, w, 1);
    }

    /** The shallow network with the deep one's parameter count: 2-((w^2 + 3w) / 2)-1. */
    static Mlp shallow(DemoContext ctx) {
        int w = deepWidth(ctx);
        return network(SEED, 2, (w * w + 3L * w) / 2, 1);
    }

    /** The widths (2, width x depth, 1) of a network on the plane with {@code depth} hidden layers. */
    static long[] widths(int depth, int width) {
        long[] widths = new long[depth + 2];
        java.util.Arrays.fill(widths, width);
        widths[0] = 2;
        widths[depth + 1] = 1;
        return widths;
    }

    /** A random ReLU network of the given widths with this plane's He initialisation. */
    static Mlp network(long seed, long... widths) {
        return Mlp.random(seed, Activation.RELU, Parameterization.ntk(Math.sqrt(2), BIAS_STD), DType.F64, widths);
    }

    /** The region raster of {@code mlp} over the square, {@code side} x {@code side} pixels. */
    static SliceRegions regions(DemoContext ctx, Mlp mlp, int side) {
        Tensor origin = Tensor.of(new double[] {0, 0}, 2);
        Tensor u = Tensor.of(new double[] {HALF, 0}, 2);
        Tensor v = Tensor.of(new double[] {0, HALF}, 2);
        return SliceRegions.compute(ctx.backend(), mlp, origin, u, v, side, side);
    }

    /** The pixel centres of a {@code side} x {@code side} raster (as {@link SliceRegions}), row by row: (side^2, 2). */
    static Tensor pixelCentres(int side) {
        Tensor x = Tensor.allocate(DType.F64, (long) side * side, 2);
        for (int i = 0; i < side; i++) {
            for (int j = 0; j < side; j++) {
                long row = (long) i * side + j;
                x.set(HALF * SliceRegions.s(j, side), row, 0);
                x.set(HALF * SliceRegions.t(i, side), row, 1);
            }
        }
        return x;
    }

    /** A panel of the region map: one colour per region, boundaries dark. */
    static BufferedImage regionPanel(SliceRegions regions, String title) {
        BufferedImage map = SliceImage.render(regions.ids());
        int w = map.getWidth();
        int h = map.getHeight();
        return panel(title).draw(map.getRGB(0, 0, w, h, null, 0, w), w, h);
    }

    /** An empty panel over the square with axis labels x1, x2. */
    static RasterPanel panel(String title) {
        return RasterPanel.of(title, "x1", "x2", -HALF, HALF, -HALF, HALF);
    }

    /** Whether pixel {@code p} of a raster of region ids has a right or lower neighbour in another region. */
    static boolean boundary(int[] ids, int side, int p) {
        int i = p / side;
        int j = p % side;
        return j + 1 < side && ids[p] != ids[p + 1] || i + 1 < side && ids[p] != ids[p + side];
    }

    /** The region ids of a raster as a row-major array. */
    static int[] ids(SliceRegions regions) {
        Tensor t = regions.ids();
        int[] ids = new int[Math.toIntExact(t.size())];
        for (int k = 0; k < ids.length; k++) {
            ids[k] = (int) t.getFlat(k);
        }
        return ids;
    }
}
