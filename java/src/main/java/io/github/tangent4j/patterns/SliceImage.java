package io.github.tangent4j.patterns;

import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * Renders a region raster (an (H, W) tensor of region ids, as {@link SliceRegions#ids()}) as an
 * image: one colour per region, and the boundaries between regions drawn in a dark line.
 *
 * <p>Colours step the hue by the golden ratio per id (so consecutive ids, which are usually neighbours,
 * get far-apart hues) and alternate saturation and brightness in short cycles, which keeps even
 * hundreds of regions visually distinct. A pixel is a boundary pixel when its right or lower
 * neighbour has another id.
 */
public final class SliceImage {
    /** The boundary colour (RGB). */
    public static final int BOUNDARY = 0x202020;

    private static final double GOLDEN = 0.6180339887498949;

    private SliceImage() {
    }

    /** The colour (RGB) of region {@code id}. */
    public static int colour(int id) {
        float hue = (float) ((id * GOLDEN) % 1.0);
        float saturation = 0.45f + 0.15f * (id % 3);
        float brightness = 0.98f - 0.1f * ((id / 3) % 2);
        return Color.HSBtoRGB(hue, saturation, brightness) & 0xFFFFFF;
    }

    /**
     * The image of an (H, W) id raster.
     *
     * @throws IllegalArgumentException unless {@code ids} has rank 2 and a nonzero size
     */
    public static BufferedImage render(Tensor ids) {
        Objects.requireNonNull(ids, "ids");
        if (ids.rank() != 2 || ids.size() == 0) {
            throw new IllegalArgumentException("ids: expected a non-empty (H, W) raster but was "
                    + Shapes.format(ids.shape()));
        }
        int h = Math.toIntExact(ids.dim(0));
        int w = Math.toIntExact(ids.dim(1));
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                long id = ids.getLong(i, j);
                boolean boundary = j + 1 < w && ids.getLong(i, j + 1) != id || i + 1 < h && ids.getLong(i + 1, j) != id;
                image.setRGB(j, i, boundary ? BOUNDARY : colour((int) id));
            }
        }
        return image;
    }
}
