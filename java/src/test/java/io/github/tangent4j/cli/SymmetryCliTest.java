package io.github.tangent4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.nn.StateDict;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Npy;
import io.github.tangent4j.tensor.Npz;
import io.github.tangent4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code pathnorm}, {@code balance}, {@code canonical}, {@code compress} and {@code rnorm}, and their errors. */
class SymmetryCliTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void pathnormPrintsTheClosedFormOfOneHiddenLayer(String backend) throws IOException {
        JacobianCliTest.assumeBackend(backend);
        Mlp mlp = Mlp.random(61, Activation.RELU, Parameterization.STANDARD, DType.F64, 3, 5, 2);
        Path model = save(mlp, "m.npz");
        for (double q : new double[] {1, 3}) {
            // sum over outputs o of |c_o|^q + sum_j |v_oj|^q (|b_j|^q + sum_i |w_ji|^q)
            double[] per = new double[2];
            Layer first = mlp.layers().get(0);
            Layer second = mlp.layers().get(1);
            for (int o = 0; o < 2; o++) {
                per[o] = Math.pow(Math.abs(second.bias().get(o)), q);
                for (int j = 0; j < 5; j++) {
                    double in = Math.pow(Math.abs(first.bias().get(j)), q);
                    for (int i = 0; i < 3; i++) {
                        in += Math.pow(Math.abs(first.weight().get(j, i)), q);
                    }
                    per[o] += Math.pow(Math.abs(second.weight().get(o, j)), q) * in;
                }
            }
            Path out = dir.resolve("p.npy");
            CliTest.Result r = CliTest.run("pathnorm", "--model", model.toString(), "--q", Double.toString(q), "--out",
                    out.toString(), "--backend", backend);
            assertEquals(0, r.code(), r.err());
            double total = Math.pow(per[0] + per[1], 1 / q);
            assertTrue(r.out().startsWith("pathnorm "), r.out());
            assertEquals(total, Double.parseDouble(r.out().strip().substring("pathnorm ".length())), 1e-12 * total);
            Tensor written = Npy.read(out);
            assertArrayEquals(new long[] {2}, written.shape());
            for (int o = 0; o < 2; o++) {
                assertEquals(Math.pow(per[o], 1 / q), written.getFlat(o), 1e-12 * written.getFlat(o));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void balanceAndCanonicalKeepTheFunctionAndForgetTheOrbit(String backend) throws IOException {
        JacobianCliTest.assumeBackend(backend);
        Mlp mlp = Mlp.random(62, Activation.RELU, Parameterization.STANDARD, DType.F64, 3, 6, 4, 2);
        Path model = save(mlp, "m.npz");
        Path balanced = dir.resolve("b.npz");
        CliTest.Result r = CliTest.run("balance", "--model", model.toString(), "--out", balanced.toString(),
                "--backend", backend);
        assertEquals(0, r.code(), r.err());
        String[] parts = r.out().strip().split(" ");
        assertEquals(4, parts.length, r.out());
        assertEquals("weight-decay", parts[0]);
        assertEquals("->", parts[2]);
        Mlp b = StateDict.load(balanced, Activation.RELU);
        assertEquals(weightDecay(mlp), Double.parseDouble(parts[1]), 1e-12 * weightDecay(mlp));
        assertEquals(weightDecay(b), Double.parseDouble(parts[3]), 1e-12 * weightDecay(b));
        assertTrue(weightDecay(b) < weightDecay(mlp));
        assertSameOutputs(backend, mlp, b);

        // a permuted, rescaled copy: the same canonical file
        Mlp copy = permutedRescaled(mlp, new SplittableRandom(63));
        assertSameOutputs(backend, mlp, copy);
        Path c1 = dir.resolve("c1.safetensors");
        Path c2 = dir.resolve("c2.npz");
        assertEquals(0, CliTest.run("canonical", "--model", model.toString(), "--out", c1.toString()).code());
        assertEquals(0, CliTest.run("canonical", "--model", save(copy, "copy.npz").toString(), "--out",
                c2.toString()).code());
        Mlp a1 = StateDict.load(c1, Activation.RELU);
        Mlp a2 = StateDict.load(c2, Activation.RELU);
        assertSameOutputs(backend, mlp, a1);
        for (int l = 0; l < 3; l++) {
            double[] x = a1.layers().get(l).weight().toDoubleArray();
            double[] y = a2.layers().get(l).weight().toDoubleArray();
            assertArrayEquals(x, y, 1e-8);
            assertArrayEquals(a1.layers().get(l).bias().toDoubleArray(), a2.layers().get(l).bias().toDoubleArray(), 1e-8);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void compressMergesADuplicateAndSaysWhenOnlyTheDataAgree(String backend) throws IOException {
        JacobianCliTest.assumeBackend(backend);
        // unit 3 = 2 x unit 0, taking half of its outgoing weights
        double[][] w = {{0.5, -1}, {1, 0.25}, {-0.75, 0.5}, {1, -2}};
        double[] b = {0.1, -0.2, 0.3, 0.2};
        double[][] v = {{0.6, -0.4, 0.9, 0.15}};
        Mlp mlp = new Mlp(List.of(new Layer(Tensor.of(w), Tensor.of(b, 4)), new Layer(Tensor.of(v),
                Tensor.of(new double[] {0.05}, 1))), Activation.RELU, Parameterization.STANDARD);
        Path model = save(mlp, "dup.npz");
        Path out = dir.resolve("small.npz");
        CliTest.Result r = CliTest.run("compress", "--model", model.toString(), "--out", out.toString(), "--backend",
                backend);
        assertEquals(0, r.code(), r.err());
        assertEquals("units 4 -> 3", r.out().strip());
        Mlp small = StateDict.load(out, Activation.RELU);
        assertArrayEquals(new long[] {2, 3, 1}, small.widths());
        assertSameOutputs(backend, mlp, small);

        // on inputs where unit 1 (x_1 + x_2 / 4 - 0.2 > 0 needs large inputs) is never active
        Path x = dir.resolve("x.npy");
        Npy.write(x, Tensor.of(new double[][] {{-1, 0}, {-0.5, 0.1}, {0, -1}}));
        r = CliTest.run("compress", "--model", model.toString(), "--out", out.toString(), "--on-data", x.toString(),
                "--backend", backend);
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().strip().lines().toList();
        assertEquals("units 4 -> 2", lines.get(0));
        assertTrue(lines.get(1).contains("on --on-data") && lines.get(1).contains("only"), lines.get(1));
    }

    @Test
    void rnormGroupsAnAntiparallelPair() throws IOException {
        // relu(x) + relu(-x) + 2 relu(-2x + 1): slope jumps 2 at x = 0 and 4 at x = 1/2
        Mlp mlp = new Mlp(List.of(new Layer(Tensor.of(new double[][] {{1}, {-1}, {-2}}), Tensor.of(new double[] {0, 0, 1},
                3)), new Layer(Tensor.of(new double[][] {{1, 1, 2}, {1, -1, 0}}), null)), Activation.RELU,
                Parameterization.STANDARD);
        Path out = dir.resolve("r.npy");
        CliTest.Result r = CliTest.run("rnorm", "--model", save(mlp, "one.npz").toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        // output 2: relu(x) - relu(-x) = x has no kink
        assertEquals("rtv2 6.0", r.out().strip());
        assertArrayEquals(new double[] {6, 0}, Npy.read(out).toDoubleArray(), 1e-15);
    }

    @Test
    void errorsAreOneLine() throws IOException {
        Path model = save(Mlp.random(64, Activation.RELU, Parameterization.STANDARD, DType.F64, 2, 3, 3, 1), "deep.npz");
        Path corrupt = dir.resolve("corrupt.npz");
        byte[] bytes = Files.readAllBytes(model);
        Files.write(corrupt, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        String out = dir.resolve("o.npz").toString();
        Npy.write(dir.resolve("x.npy"), Tensor.of(new double[][] {{1, 2}}));
        String[][] outs = {{"pathnorm"}, {"balance", "--out", out}, {"canonical", "--out", out},
            {"compress", "--out", out}, {"rnorm"}};
        for (String[] cmd : outs) {
            for (String phi : new String[] {"tanh", "erf"}) {
                CliTest.Result r = CliTest.run(concat(cmd, "--model", model.toString(), "--activation", phi));
                assertEquals(2, r.code(), String.join(" ", cmd));
                assertOneLine(r.err(), cmd[0] + ": ", "activation", phi);
            }
            CliTest.Result r = CliTest.run(concat(cmd, "--model", corrupt.toString()));
            assertEquals(2, r.code());
            assertOneLine(r.err(), cmd[0] + ": ", "corrupt.npz");
        }
        assertTrue(Files.notExists(Path.of(out)));
        assertOneLine(CliTest.run("rnorm", "--model", model.toString()).err(), "one hidden layer");
        assertOneLine(CliTest.run("pathnorm", "--model", model.toString(), "--q", "0.5").err(), "--q", "0.5");
        assertOneLine(CliTest.run("balance", "--model", model.toString(), "--out", dir.resolve("b.npy").toString()).err(),
                "--out", ".npz");
        assertOneLine(CliTest.run("balance", "--model", model.toString()).err(), "--out");
        assertOneLine(CliTest.run("compress", "--model", model.toString(), "--out", out, "--activation", "abs",
                "--on-data", dir.resolve("x.npy").toString()).err(), "--on-data", "relu");
    }

    private Path save(Mlp mlp, String name) throws IOException {
        Path p = dir.resolve(name);
        Npz.write(p, StateDict.fromMlp(mlp));
        return p;
    }

    private static void assertSameOutputs(String backendName, Mlp expected, Mlp actual) {
        Tensor x = Tensor.allocate(DType.F64, 40, expected.inputDim());
        SplittableRandom rng = new SplittableRandom(65);
        for (long i = 0; i < x.size(); i++) {
            x.setFlat(i, rng.nextGaussian());
        }
        try (Backend backend = TestBackends.open(backendName)) {
            assertArrayEquals(expected.forward(backend, x).toDoubleArray(), actual.forward(backend, x).toDoubleArray(),
                    1e-11);
        }
    }

    /** Every hidden unit rescaled by 2^u (|u| <= 6) and each hidden layer reversed. */
    private static Mlp permutedRescaled(Mlp mlp, SplittableRandom rng) {
        Map<String, Tensor> sd = StateDict.fromMlp(mlp);
        for (int h = 0; h < mlp.depth(); h++) {
            Tensor w = sd.get(2 * h + ".weight").copy();
            Tensor bias = sd.get(2 * h + ".bias").copy();
            Tensor next = sd.get(2 * (h + 1) + ".weight").copy();
            int n = (int) w.dim(0);
            Tensor w2 = Tensor.allocate(DType.F64, w.shape());
            Tensor b2 = Tensor.allocate(DType.F64, bias.shape());
            Tensor n2 = Tensor.allocate(DType.F64, next.shape());
            for (int j = 0; j < n; j++) {
                double c = Math.pow(2, rng.nextDouble(-6, 6));
                int to = n - 1 - j;
                for (long k = 0; k < w.dim(1); k++) {
                    w2.set(c * w.get(j, k), to, k);
                }
                b2.set(c * bias.get(j), to);
                for (long o = 0; o < next.dim(0); o++) {
                    n2.set(next.get(o, j) / c, o, to);
                }
            }
            sd.put(2 * h + ".weight", w2);
            sd.put(2 * h + ".bias", b2);
            sd.put(2 * (h + 1) + ".weight", n2);
        }
        return StateDict.toMlp(sd, mlp.activation(), "copy");
    }

    private static double weightDecay(Mlp mlp) {
        double s = 0;
        for (int l = 0; l < mlp.layers().size(); l++) {
            for (double v : mlp.layers().get(l).weight().toDoubleArray()) {
                s += v * v;
            }
            if (l < mlp.depth()) {
                for (double v : mlp.layers().get(l).bias().toDoubleArray()) {
                    s += v * v;
                }
            }
        }
        return s;
    }

    private static void assertOneLine(String err, String... parts) {
        String trimmed = err.strip();
        assertEquals(1, trimmed.lines().count(), "expected one line but got:\n" + err);
        for (String p : parts) {
            assertTrue(trimmed.contains(p), "expected '" + p + "' in: " + trimmed);
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
