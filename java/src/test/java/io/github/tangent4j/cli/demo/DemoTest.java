package io.github.tangent4j.cli.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.cuda.Emu;
import io.github.tangent4j.cli.Main;
import io.github.tangent4j.patterns.PackedPatterns;
import io.github.tangent4j.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code tangent4j demo --quick} end to end on each backend (CUDA on the emulated device when it is
 * built), its command-line errors, and the demo's own helpers against hand-computed values.
 */
class DemoTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"java", "cuda"})
    void quickDemoWritesEveryFigureAndTheIndex(String backend) throws IOException {
        if (backend.equals("cuda")) {
            io.github.tangent4j.backend.TestBackends.requireEmu();
        }
        Path out = dir.resolve("report-" + backend);
        int liveBefore = backend.equals("cuda") ? Emu.liveAllocations() : 0;
        Result r = run("demo", "--quick", "--out", out.toString(), "--backend", backend);
        assertEquals(0, r.code(), r.err());
        String index = Files.readString(out.resolve("index.html"));
        assertTrue(r.out().contains("backend " + backend), r.out());
        for (Figure f : Figures.all()) {
            Path png = out.resolve(f.file());
            assertTrue(Files.isRegularFile(png), png + " missing");
            BufferedImage img = ImageIO.read(png.toFile());
            assertNotNull(img, png + " does not decode as an image");
            assertTrue(distinctColours(img) > 16, png + " is (nearly) blank: " + distinctColours(img) + " colours");
            assertTrue(index.contains("src=\"" + f.file() + "\""), "index.html does not show " + f.file());
            assertTrue(r.out().contains(f.file()), "the summary does not time " + f.file());
        }
        if (backend.equals("cuda")) {
            assertEquals(liveBefore, Emu.liveAllocations(), "device allocations leaked");
        }
    }

    @Test
    void helpAndBadOptions() {
        Result help = run("demo", "--help");
        assertEquals(0, help.code(), help.err());
        assertTrue(help.out().contains("--quick") && help.out().contains("--out"), help.out());
        Result bad = run("demo", "--no-such-option");
        assertEquals(2, bad.code());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
    }

    @Test
    void outIsAnExistingFile() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
        Result r = run("demo", "--quick", "--out", file.toString(), "--backend", "java");
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertEquals("x", Files.readString(file));
    }

    private static int distinctColours(BufferedImage img) {
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                colours.add(img.getRGB(x, y));
            }
        }
        return colours.size();
    }

    @Test
    void viridisEndsAndControlPoints() {
        assertEquals(0x440154, Viridis.rgb(0));
        assertEquals(0xFDE725, Viridis.rgb(1));
        assertEquals(0x21908C, Viridis.rgb(0.5));
        assertEquals(0x440154, Viridis.rgb(-3));   // clamped
        // halfway between the first two control points 0x440154 and 0x472D7B
        assertEquals(Math.round((0x44 + 0x47) / 2.0) << 16 | Math.round((0x01 + 0x2D) / 2.0) << 8
                | Math.round((0x54 + 0x7B) / 2.0), Viridis.rgb(1 / 16.0));
    }

    @Test
    void scalesAndTicks() {
        ScalarScale lin = new ScalarScale(2, 6, false);
        assertEquals(0.25, lin.position(3), 1e-15);
        assertEquals(5, lin.value(0.75), 1e-15);
        ScalarScale log = new ScalarScale(1e-3, 10, true);
        assertEquals(0.75, log.position(1), 1e-15);
        assertEquals(0.1, log.value(0.5), 1e-15);
        assertArrayEquals(new double[] {0, 0.5, 1, 1.5}, Ticks.linear(-0.1, 1.7, 4), 1e-12);
        assertArrayEquals(new double[] {1e-3, 1e-2, 1e-1, 1, 10}, Ticks.log(1e-3, 10, 6), 1e-15);
        assertEquals("0.25", Ticks.label(0.25));
        assertEquals("1e-4", Ticks.label(1e-4));
    }

    @Test
    void logLogSlopeOfAPowerLaw() {
        int[] w = {16, 64, 256, 1024};
        double[] y = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            y[i] = 3 / Math.sqrt(w[i]);
        }
        assertEquals(-0.5, NtkConvergenceFigure.logLogSlope(w, y), 1e-12);
    }

    @Test
    void spreadWithinRegions() {
        int[] ids = {0, 0, 1, 1};
        double[] norms = {2, 2, 1, 0.5};
        assertEquals(0.25, JacobianNormFigure.largestSpreadWithinRegions(ids, norms, 2), 1e-15);
    }

    @Test
    void constantUnitsCountsAlwaysOffAndAlwaysOn() {
        // 3 inputs, 4 units: unit 0 always off, unit 1 always on, units 2 and 3 vary
        Tensor bits = Tensor.of(new double[] {0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 1, 1}, 3, 4);
        PackedPatterns p = PackedPatterns.fromBooleans(bits);
        assertArrayEquals(new long[] {1, 1}, FunctionalDimensionFigure.constantUnits(p));
    }
}
