package io.github.tangent4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.java.JavaBackend;
import io.github.tangent4j.kernels.InfiniteWidthKernel;
import io.github.tangent4j.kernels.JacobianKernel;
import io.github.tangent4j.kernels.KernelPredictor;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Architecture;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Npy;
import io.github.tangent4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code kernel}, {@code regress} and {@code robust} subcommands against the library calls they wrap. */
class KernelCliTest {
    @TempDir
    Path dir;

    private String file(String name, Tensor t) throws IOException {
        Path p = dir.resolve(name);
        Npy.write(p, t);
        return p.toString();
    }

    static Tensor random(long seed, long... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.allocate(DType.F64, shape);
        for (long i = 0; i < t.size(); i++) {
            t.setFlat(i, r.nextGaussian());
        }
        return t;
    }

    private CliTest.Result run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--backend", "java"));
        return CliTest.run(all.toArray(String[]::new));
    }

    private static void assertSame(Tensor want, Tensor got, double tol) {
        assertArrayEquals(want.shape(), got.shape());
        for (long i = 0; i < want.size(); i++) {
            assertEquals(want.getFlat(i), got.getFlat(i), tol * Math.max(1, Math.abs(want.getFlat(i))), "element " + i);
        }
    }

    @Test
    void kernelWritesEachKind() throws IOException {
        Tensor x = random(1, 5, 3);
        Tensor x2 = random(2, 4, 3);
        String xf = file("x.npy", x);
        String x2f = file("x2.npy", x2);
        InfiniteWidthKernel k = InfiniteWidthKernel.of(Architecture.ntkVariances(Activation.ERF, 2, 1.5, 0.1));
        try (JavaBackend b = new JavaBackend()) {
            InfiniteWidthKernel.Result want = k.compute(b, x, x2);
            for (String kind : new String[] {"nngp", "ntk", "jacobian-nngp", "jacobian-ntk"}) {
                String out = dir.resolve(kind + ".npy").toString();
                CliTest.Result r = run("kernel", "--kind", kind, "--depth", "2", "--sigma-w2", "1.5", "--sigma-b2",
                        "0.1", "--activation", "erf", "--x", xf, "--x2", x2f, "--out", out);
                assertEquals(0, r.code(), r.err());
                Tensor got = Npy.read(Path.of(out));
                Tensor expected = switch (kind) {
                    case "nngp" -> want.outputNngp();
                    case "ntk" -> want.outputNtk();
                    case "jacobian-nngp" -> JacobianKernel.of(k).compute(b, x, x2, JacobianKernel.Kind.NNGP);
                    default -> JacobianKernel.of(k).compute(b, x, x2, JacobianKernel.Kind.NTK);
                };
                assertSame(expected, got, 1e-14);
            }
            assertArrayEquals(new long[] {20, 16}, Npy.read(dir.resolve("jacobian-ntk.npy")).shape());
        }
        // f32 and x2 defaulting to x
        String out = dir.resolve("k32.npy").toString();
        CliTest.Result r = run("kernel", "--kind", "ntk", "--depth", "1", "--sigma-w2", "2", "--sigma-b2", "0", "--x",
                xf, "--out", out, "--dtype", "f32");
        assertEquals(0, r.code(), r.err());
        Tensor got = Npy.read(Path.of(out));
        assertEquals(DType.F32, got.dtype());
        assertArrayEquals(new long[] {5, 5}, got.shape());
    }

    @Test
    void regressWritesThePosteriorMeanAndTheGradientDescentPredictor() throws IOException {
        Tensor x = random(3, 6, 2);
        Tensor y = random(4, 6);
        Tensor xt = random(5, 3, 2);
        Tensor times = Tensor.of(new double[] {0.5, Double.POSITIVE_INFINITY}, 2);
        String[] common = {"--depth", "2", "--sigma-w2", "2", "--sigma-b2", "0.05", "--x", file("x.npy", x), "--y",
            file("y.npy", y), "--xtest", file("xt.npy", xt)};
        InfiniteWidthKernel k = InfiniteWidthKernel.of(Architecture.ntkVariances(Activation.RELU, 2, 2, 0.05));
        try (JavaBackend b = new JavaBackend()) {
            InfiniteWidthKernel.Result train = k.compute(b, x, null);
            InfiniteWidthKernel.Result cross = k.compute(b, xt, x);
            String out = dir.resolve("mean.npy").toString();
            CliTest.Result r = run(concat(common, "regress", "--kernel", "nngp", "--reg", "0.01", "--out", out));
            assertEquals(0, r.code(), r.err());
            assertSame(KernelPredictor.posterior(train.outputNngp(), cross.outputNngp(), null, y, 0.01).mean(),
                    Npy.read(Path.of(out)), 1e-13);
            r = run(concat(common, "regress", "--kernel", "ntk", "--times", file("t.npy", times), "--out", out));
            assertEquals(0, r.code(), r.err());
            Tensor gd = Npy.read(Path.of(out));
            assertSame(KernelPredictor.gradientDescent(train.outputNtk(), cross.outputNtk(), y, 0,
                    new double[] {0.5, Double.POSITIVE_INFINITY}), gd, 1e-13);
            assertArrayEquals(new long[] {2, 3}, gd.shape());
        }
    }

    @Test
    void robustWritesTheJacobianRegularisedPredictor() throws IOException {
        Tensor x = random(9, 5, 2);
        Tensor y = random(10, 5);
        Tensor xt = random(11, 3, 2);
        double[] t = {0.2, 3, Double.POSITIVE_INFINITY};
        String out = dir.resolve("robust.npy").toString();
        CliTest.Result r = run("robust", "--lambda", "0.5", "--depth", "2", "--sigma-w2", "1.5", "--sigma-b2", "0.1",
                "--activation", "erf", "--x", file("x.npy", x), "--y", file("y.npy", y), "--xtest", file("xt.npy", xt),
                "--times", file("t.npy", Tensor.of(t, 3)), "--out", out);
        assertEquals(0, r.code(), r.err());
        try (JavaBackend b = new JavaBackend()) {
            Tensor want = io.github.tangent4j.kernels.RobustPredictor.predict(b,
                    InfiniteWidthKernel.of(Architecture.ntkVariances(Activation.ERF, 2, 1.5, 0.1)), x, y, xt, 0.5, t);
            assertSame(want, Npy.read(Path.of(out)), 1e-14);
            assertArrayEquals(new long[] {3, 3}, want.shape());
        }
        r = run("robust", "--lambda", "-1", "--depth", "2", "--sigma-w2", "1.5", "--sigma-b2", "0.1", "--x",
                file("x.npy", x), "--y", file("y.npy", y), "--xtest", file("xt.npy", xt), "--times",
                file("t.npy", Tensor.of(t, 3)), "--out", dir.resolve("bad.npy").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--lambda"), r.err());
    }

    static String[] concat(String[] common, String... more) {
        List<String> all = new ArrayList<>(List.of(more));
        all.addAll(1, List.of(common));
        return all.toArray(String[]::new);
    }

    @Test
    void badArgumentsExitWithCodeTwoAndOneLine() throws IOException {
        String xf = file("x.npy", random(6, 4, 2));
        String out = dir.resolve("o.npy").toString();
        CliTest.Result r = run("kernel", "--kind", "ntk", "--depth", "1", "--sigma-w2", "1", "--sigma-b2", "0",
                "--activation", "tanh", "--x", xf, "--out", out);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("tanh") && r.err().strip().lines().count() == 1, r.err());
        r = run("kernel", "--kind", "cosine", "--depth", "1", "--sigma-w2", "1", "--sigma-b2", "0", "--x", xf,
                "--out", out);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("jacobian-ntk"), r.err());
        r = run("kernel", "--kind", "ntk", "--sigma-w2", "1", "--sigma-b2", "0", "--x", xf, "--out", out);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--depth"), r.err());
        r = run("regress", "--kernel", "ntk", "--depth", "1", "--sigma-w2", "1", "--sigma-b2", "0", "--x", xf,
                "--y", file("y.npy", random(7, 3)), "--xtest", xf, "--out", out);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--y") && r.err().contains("(4,)"), r.err());
        r = run("regress", "--kernel", "ntk", "--depth", "1", "--sigma-w2", "1", "--sigma-b2", "0", "--x", xf,
                "--y", file("y4.npy", random(7, 4)), "--xtest", file("x3.npy", random(8, 2, 3)), "--out", out);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--xtest"), r.err());
        r = run("regress", "--kernel", "ntk", "--depth", "1", "--sigma-w2", "1", "--sigma-b2", "0", "--x", xf,
                "--y", file("y4.npy", random(7, 4)), "--xtest", xf, "--times",
                file("bad.npy", Tensor.of(new double[] {1, -2}, 2)), "--out", out);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--times"), r.err());
        assertTrue(!Files.exists(Path.of(out)));
    }
}
