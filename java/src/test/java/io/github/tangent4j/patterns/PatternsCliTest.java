package io.github.tangent4j.patterns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.java.JavaBackend;
import io.github.tangent4j.cli.Main;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.nn.StateDict;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Npy;
import io.github.tangent4j.tensor.Npz;
import io.github.tangent4j.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The four pattern subcommands of the command line, as CLI.md names them. */
class PatternsCliTest {
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

    private String model(Mlp mlp) throws IOException {
        Path p = dir.resolve("m.npz");
        Npz.write(p, StateDict.fromMlp(mlp));
        return p.toString();
    }

    private String npy(String name, Tensor t) throws IOException {
        Path p = dir.resolve(name);
        Npy.write(p, t);
        return p.toString();
    }

    @Test
    void patternsWritesBooleansMatchingTheScalarForward() throws IOException {
        Mlp mlp = Mlp.random(61, Activation.leakyRelu(0.1), Parameterization.STANDARD, DType.F64, 3, 70, 5, 2);
        Tensor x = Fixtures.gaussian(62, DType.F64, 11, 3);
        Result r = run("patterns", "--model", model(mlp), "--activation", "leaky_relu:0.1", "--x", npy("x.npy", x),
                "--out", dir.resolve("p.npy").toString(), "--backend", "java");
        assertEquals(0, r.code(), r.err());
        Tensor p = Npy.read(dir.resolve("p.npy"));
        assertEquals(DType.BOOL, p.dtype());
        assertArrayEquals(new long[] {11, 75}, p.shape());
        for (long i = 0; i < 11; i++) {
            boolean[] ref = ScalarPatterns.pattern(mlp, ScalarPatterns.row(x, i));
            for (int j = 0; j < 75; j++) {
                assertEquals(ref[j], p.get(i, j) != 0, "row " + i + " unit " + j);
            }
        }
        Result smooth = run("patterns", "--model", model(mlp), "--activation", "tanh", "--x", npy("x.npy", x),
                "--out", dir.resolve("q.npy").toString());
        assertEquals(2, smooth.code());
        assertTrue(smooth.err().contains("piecewise-linear") && smooth.err().contains("tanh"), smooth.err());
        assertEquals(1, smooth.err().strip().lines().count());
        assertFalse(Files.exists(dir.resolve("q.npy")));
        Result noX = run("patterns", "--model", model(mlp), "--out", dir.resolve("q.npy").toString());
        assertEquals(2, noX.code());
        assertTrue(noX.err().contains("--x: missing"), noX.err());
    }

    @Test
    void regionsWritesTheBreakpointsAsJson() throws IOException {
        Mlp mlp = RegionsAlongSegmentsTest.handMade(DType.F64);
        Result r = run("regions", "--model", model(mlp), "--a", npy("a.npy", Tensor.of(new double[] {0, 1}, 2, 1)),
                "--b", npy("b.npy", Tensor.of(new double[] {1, 0}, 2, 1)), "--out", dir.resolve("r.json").toString());
        assertEquals(0, r.code(), r.err());
        String json = Files.readString(dir.resolve("r.json"));
        assertEquals("{\"segments\": [{\"breakpoints\": [0.25, 0.5, 0.625, 0.75, 0.8125], \"pieces\": 6}, "
                + "{\"breakpoints\": [0.1875, 0.25, 0.375, 0.5, 0.75], \"pieces\": 6}]}", json.strip());
        Result zero = run("regions", "--model", model(mlp), "--a", npy("a.npy", Tensor.of(new double[] {0.5}, 1, 1)),
                "--b", npy("b.npy", Tensor.of(new double[] {0.5}, 1, 1)), "--out", dir.resolve("z.json").toString());
        assertEquals(2, zero.code());
        assertTrue(zero.err().contains("zero-length segment"), zero.err());
    }

    @Test
    void sliceWritesIdsPngAndPrintsTheRegionCount() throws IOException {
        Mlp mlp = SliceRegionsTest.tangentLines(5, 0.25);
        String o = npy("o.npy", Tensor.of(new double[] {0, 0}, 2));
        String u = npy("u.npy", Tensor.of(new double[] {1, 0}, 2));
        String v = npy("v.npy", Tensor.of(new double[] {0, 1}, 2));
        Path png = dir.resolve("s.png");
        Result r = run("slice", "--model", model(mlp), "--origin", o, "--dir1", u, "--dir2", v, "--size", "240x180",
                "--png", png.toString(), "--out", dir.resolve("ids.npy").toString(), "--backend", "java");
        assertEquals(0, r.code(), r.err());
        assertEquals("regions 16", r.out().strip());
        Tensor ids = Npy.read(dir.resolve("ids.npy"));
        assertEquals(DType.I32, ids.dtype());
        assertArrayEquals(new long[] {180, 240}, ids.shape());
        try (JavaBackend b = new JavaBackend()) {
            Tensor expected = SliceRegions.compute(b, mlp, Tensor.of(new double[] {0, 0}, 2),
                    Tensor.of(new double[] {1, 0}, 2), Tensor.of(new double[] {0, 1}, 2), 240, 180).ids();
            for (long i = 0; i < ids.size(); i++) {
                assertEquals(expected.getLongFlat(i), ids.getLongFlat(i));
            }
        }
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(240, image.getWidth());
        assertEquals(180, image.getHeight());
        assertEquals(SliceImage.colour((int) ids.getLong(0, 0)), image.getRGB(0, 0) & 0xFFFFFF);

        Result parallel = run("slice", "--model", model(mlp), "--origin", o, "--dir1", u, "--dir2", u, "--size", "4x4",
                "--out", dir.resolve("p.npy").toString());
        assertEquals(2, parallel.code());
        assertTrue(parallel.err().contains("not parallel"), parallel.err());
        Result badSize = run("slice", "--model", model(mlp), "--origin", o, "--dir1", u, "--dir2", v, "--size", "0x4",
                "--out", dir.resolve("p.npy").toString());
        assertEquals(2, badSize.code());
        assertTrue(badSize.err().contains("width: expected 1 to 32768 pixels but was 0"), badSize.err());
        Result garbled = run("slice", "--model", model(mlp), "--origin", o, "--dir1", u, "--dir2", v, "--size", "4by4",
                "--out", dir.resolve("p.npy").toString());
        assertEquals(2, garbled.code());
        assertTrue(garbled.err().contains("--size: expected WxH"), garbled.err());
        assertFalse(Files.exists(dir.resolve("p.npy")));
    }

    @Test
    void arrangementsWritesTheDistinctPatternsAsColumns() throws IOException {
        Tensor x = Fixtures.gaussian(71, DType.F64, 9, 3);
        Result r = run("arrangements", "--x", npy("x.npy", x), "--m", "300", "--seed", "5", "--out",
                dir.resolve("d.npy").toString(), "--backend", "java");
        assertEquals(0, r.code(), r.err());
        Tensor d = Npy.read(dir.resolve("d.npy"));
        assertEquals(DType.BOOL, d.dtype());
        try (JavaBackend b = new JavaBackend()) {
            Tensor expected = Arrangements.sample(b, x, 300, 5, null).toBooleans();
            assertArrayEquals(expected.shape(), d.shape());
            assertTrue(d.dim(1) > 5);
            for (long i = 0; i < d.size(); i++) {
                assertEquals(expected.getFlat(i), d.getFlat(i));
            }
        }
        Result noM = run("arrangements", "--x", npy("x.npy", x), "--out", dir.resolve("e.npy").toString());
        assertEquals(2, noM.code());
        Matcher m = Pattern.compile("--m").matcher(noM.err());
        assertTrue(m.find(), noM.err());
    }
}
