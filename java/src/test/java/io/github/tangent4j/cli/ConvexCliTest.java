package io.github.tangent4j.cli;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.convex.TwoLayerObjective;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.StateDict;
import io.github.tangent4j.tensor.Npy;
import io.github.tangent4j.tensor.Npz;
import io.github.tangent4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code convex-fit} and {@code wedge}: the printed objective equals the written network's; bad input exits 2. */
class ConvexCliTest {
    @TempDir
    Path dir;

    private Path[] data() throws IOException {
        Map<String, Tensor> f;
        try (InputStream in = getClass().getResourceAsStream("/io/github/tangent4j/convex/relu_1d.npz")) {
            f = Npz.read(in.readAllBytes(), "relu_1d");
        }
        Path x = dir.resolve("x.npy");
        Path y = dir.resolve("y.npy");
        Npy.write(x, f.get("x"));
        Npy.write(y, f.get("y"));
        return new Path[] {x, y};
    }

    @Test
    void printedObjectiveIsTheWrittenNetworks() throws IOException {
        Path[] xy = data();
        Path out = dir.resolve("net.npz");
        CliTest.Result r = CliTest.run("convex-fit", "--x", xy[0].toString(), "--y", xy[1].toString(), "--beta", "0.05",
                "--patterns", "all", "--bias", "--tol", "1e-5", "--backend", "java", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        String[] words = r.out().strip().split(" ");
        assertEquals("objective", words[0]);
        assertEquals("gap", words[2]);
        assertEquals("neurons", words[4]);
        double printed = Double.parseDouble(words[1]);
        Mlp net = StateDict.load(out, Activation.RELU);
        assertEquals(Integer.parseInt(words[5]), net.layers().get(0).out());
        try (Backend b = TestBackends.open("java")) {
            double fromFile = TwoLayerObjective.value(b, net, Npy.read(xy[0]), Npy.read(xy[1]), 0.05);
            assertEquals(printed, fromFile, 1e-9 * printed);
        }
        assertTrue(Double.parseDouble(words[3]) <= 1e-5 * printed);

        // wedge directions as the dictionary, and a path of two betas
        Path w = dir.resolve("w.npy");
        r = CliTest.run("wedge", "--x", xy[0].toString(), "--bias", "--out", w.toString());
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(new long[] {6, 2}, Npy.read(w).shape());
        r = CliTest.run("convex-fit", "--x", xy[0].toString(), "--y", xy[1].toString(), "--beta", "0.1,0.05",
                "--dictionary", w.toString(), "--bias", "--backend", "java", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(2, lines.length);
        assertTrue(lines[1].startsWith("beta 0.05 objective "), lines[1]);
        assertTrue(Files.exists(dir.resolve("net-0.npz")) && Files.exists(dir.resolve("net-1.npz")));
        double wedge = Double.parseDouble(lines[1].split(" ")[3]);
        assertTrue(wedge >= printed * (1 - 1e-5), "the wedge-restricted optimum " + wedge + " is below " + printed);
    }

    @Test
    void badInputExitsTwoWithOneLine() throws IOException {
        Path[] xy = data();
        Path out = dir.resolve("net.npz");
        Path y5 = dir.resolve("y5.npy");
        Npy.write(y5, Tensor.of(new double[5], 5));
        Path x3 = dir.resolve("x3.npy");
        Npy.write(x3, Tensor.of(new double[18], 6, 3));
        String x = xy[0].toString();
        String y = xy[1].toString();
        String[][] cases = {
            {"--beta", "-1", "--patterns", "all"},
            {"--beta", "0", "--patterns", "all"},
            {"--beta", "0.1", "--patterns", "all", "--y", y5.toString()},
            {"--beta", "0.1", "--patterns", "1000000000000"},
            {"--beta", "0.1", "--patterns", "many"},
            {"--beta", "0.1"},
            {"--beta", "0.1", "--patterns", "all", "--x", x3.toString()},
            {"--beta", "0.1", "--patterns", "all", "--formulation", "lasso"},
            {"--beta", "0.1", "--patterns", "all", "--solver", "newton"},
        };
        String[] expected = {"--beta", "--beta", "--y", "--patterns 1000000000000: the program", "--patterns",
            "--patterns", "--patterns all", "--formulation", "--solver"};
        for (int c = 0; c < cases.length; c++) {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("convex-fit", "--bias",
                    "--backend", "java", "--out", out.toString()));
            java.util.List<String> given = java.util.List.of(cases[c]);
            if (!given.contains("--x")) {
                args.addAll(java.util.List.of("--x", x));
            }
            if (!given.contains("--y")) {
                args.addAll(java.util.List.of("--y", y));
            }
            args.addAll(given);
            CliTest.Result r = CliTest.run(args.toArray(String[]::new));
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            String line = r.err().strip();
            assertFalse(line.contains("\n"), line);
            assertTrue(line.startsWith("convex-fit: " + expected[c]), line);
        }
        assertFalse(Files.exists(out));
        CliTest.Result r = CliTest.run("wedge", "--x", x, "--bias", "--sample", "99", "--out", dir.resolve("w.npy").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("wedge: --sample: expected 1 to 6 subsets"), r.err());
    }
}
