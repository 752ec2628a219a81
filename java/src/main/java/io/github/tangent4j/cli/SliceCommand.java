package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.patterns.SliceImage;
import io.github.tangent4j.patterns.SliceRegions;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Npy;
import io.github.tangent4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tangent4j slice}: the region ids of a W x H raster over the plane o + s u + t v, an image of
 * it, and the number of distinct regions (printed as {@code regions R}).
 */
@Command(name = "slice", mixinStandardHelpOptions = true,
        description = "Write the (H, W) <i4 region ids of the pixel centres o + s_j u + t_i v "
                + "(s_j = -1 + (2j+1)/W, t_i = 1 - (2i+1)/H), the PNG, and print the number of distinct regions.")
final class SliceCommand extends NetworkCommand {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,9})x(\\d{1,9})");

    @Option(names = "--origin", required = true, paramLabel = "FILE", description = "o, .npy of shape (D,)")
    Path origin;

    @Option(names = "--dir1", required = true, paramLabel = "FILE", description = "u, .npy of shape (D,)")
    Path dir1;

    @Option(names = "--dir2", required = true, paramLabel = "FILE", description = "v, .npy of shape (D,)")
    Path dir2;

    @Option(names = "--size", required = true, paramLabel = "WxH", description = "raster width x height, e.g. 512x512")
    String size;

    @Output(optional = true)
    @Option(names = "--png", paramLabel = "FILE", description = "PNG image of the regions (one colour each, boundaries drawn)")
    Path png;

    @Override
    public Integer call() throws Exception {
        Matcher m = SIZE.matcher(size);
        if (!m.matches()) {
            throw new IllegalArgumentException("--size: expected WxH with positive integers, e.g. 512x512, but was '"
                    + size + "'");
        }
        int width = Integer.parseInt(m.group(1));
        int height = Integer.parseInt(m.group(2));
        checkSide("width", width);
        checkSide("height", height);
        if ((long) width * height > SliceRegions.MAX_PIXELS) {
            throw new IllegalArgumentException("--size " + size + ": expected at most " + SliceRegions.MAX_PIXELS
                    + " pixels but W*H is " + (long) width * height);
        }
        common.checkRoom(DType.I32, new long[] {height, width}, true);
        // the PNG holds at most 4 bytes a pixel (it is compressed)
        Room.checkDisk(png, "--png", Room.times(4L * width, height), "the image of " + width + "x" + height + " pixels");
        Mlp mlp = common.loadModel();
        SliceRegions slice;
        try (Backend backend = common.openBackend()) {
            slice = SliceRegions.compute(backend, mlp, vector(origin, "--origin"), vector(dir1, "--dir1"),
                    vector(dir2, "--dir2"), width, height);
        }
        Tensor ids = slice.ids();
        OutputFile.Pending idsFile = new OutputFile.Pending(common.out, "--out", tmp -> Npy.write(tmp, ids));
        if (png == null) {
            OutputFile.writeAll(idsFile);
        } else {
            // both files or neither: a failing PNG leaves --out as it was
            OutputFile.writeAll(idsFile, new OutputFile.Pending(png, "--png", tmp -> {
                if (!ImageIO.write(SliceImage.render(ids), "png", tmp.toFile())) {
                    throw new IOException("no PNG writer in this Java runtime");
                }
            }));
        }
        out().println("regions " + slice.regions());
        return 0;
    }

    private void checkSide(String what, int pixels) {
        if (pixels < 1 || pixels > SliceRegions.MAX_SIDE) {
            throw new IllegalArgumentException("--size " + size + ": " + what + ": expected 1 to " + SliceRegions.MAX_SIDE
                    + " pixels but was " + pixels);
        }
    }

    private Tensor vector(Path file, String option) throws IOException {
        Tensor t = Npy.read(file);
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException(option + " " + file + ": expected a float array but was " + t.dtype());
        }
        return t;
    }
}
