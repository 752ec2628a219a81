package io.github.tangent4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.nn.ScalarMlp;
import io.github.tangent4j.nn.StateDict;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Npy;
import io.github.tangent4j.tensor.Npz;
import io.github.tangent4j.tensor.SafeTensors;
import io.github.tangent4j.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
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

    private Tensor inputs(long n, long d) throws IOException {
        SplittableRandom rng = new SplittableRandom(11);
        Tensor x = Tensor.allocate(DType.F64, n, d);
        for (long i = 0; i < x.size(); i++) {
            x.setFlat(i, rng.nextGaussian());
        }
        Npy.write(dir.resolve("x.npy"), x);
        return x;
    }

    private void assertOutputsMatch(Mlp mlp, Tensor x, Path yFile, double tol) throws IOException {
        ScalarMlp.assertMatches(mlp, x, Npy.read(yFile), tol, 1);
    }

    @Test
    void forwardFromPyTorchNamedNpz() throws IOException {
        Mlp mlp = Mlp.random(5, Activation.RELU, Parameterization.STANDARD, DType.F32, 3, 16, 8, 2);
        Npz.write(dir.resolve("m.npz"), StateDict.fromMlp(mlp));   // keys 0.weight, 0.bias, 2.weight, ...
        Tensor x = inputs(10, 3);
        Result r = run("forward", "--model", dir.resolve("m.npz").toString(), "--activation", "relu",
                "--x", dir.resolve("x.npy").toString(), "--out", dir.resolve("y.npy").toString(), "--backend", "java");
        assertEquals(0, r.code(), r.err());
        assertEquals(DType.F64, Npy.read(dir.resolve("y.npy")).dtype());
        assertOutputsMatch(mlp.to(DType.F64), x, dir.resolve("y.npy"), 1e-12);
    }

    @Test
    void forwardFromSafetensorsInF32WithLeakyRelu() throws IOException {
        Mlp mlp = Mlp.random(6, Activation.leakyRelu(0.1), Parameterization.STANDARD, DType.F64, 4, 7, 3);
        SafeTensors.write(dir.resolve("m.safetensors"), StateDict.fromMlp(mlp));
        Tensor x = inputs(6, 4);
        Result r = run("forward", "--model", dir.resolve("m.safetensors").toString(), "--activation",
                "leaky_relu:0.1", "--x", dir.resolve("x.npy").toString(), "--out", dir.resolve("y.npy").toString(),
                "--dtype", "f32");
        assertEquals(0, r.code(), r.err());
        assertEquals(DType.F32, Npy.read(dir.resolve("y.npy")).dtype());
        assertOutputsMatch(mlp, x, dir.resolve("y.npy"), 1e-5);
    }

    @Test
    void badInputsExitWithCodeTwoAndOneLine() throws IOException {
        Mlp mlp = Mlp.random(5, Activation.RELU, Parameterization.STANDARD, DType.F64, 3, 4, 2);
        Path model = dir.resolve("m.npz");
        Npz.write(model, StateDict.fromMlp(mlp));
        inputs(5, 4);   // wrong D for the model
        String x = dir.resolve("x.npy").toString();
        String y = dir.resolve("y.npy").toString();

        Result wrongShape = run("forward", "--model", model.toString(), "--x", x, "--out", y);
        assertEquals(2, wrongShape.code());
        assertOneLineContaining(wrongShape.err(), "(N, 3)", "(5, 4)");

        Result missing = run("forward", "--model", dir.resolve("nope.npz").toString(), "--x", x, "--out", y);
        assertEquals(2, missing.code());
        assertOneLineContaining(missing.err(), "nope.npz");

        Result badActivation = run("forward", "--model", model.toString(), "--activation", "gelu", "--x", x,
                "--out", y);
        assertEquals(2, badActivation.code());
        assertOneLineContaining(badActivation.err(), "gelu");

        Path corrupt = dir.resolve("corrupt.npz");
        byte[] bytes = Files.readAllBytes(model);
        Files.write(corrupt, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Result truncated = run("forward", "--model", corrupt.toString(), "--x", x, "--out", y);
        assertEquals(2, truncated.code());
        assertOneLineContaining(truncated.err(), "corrupt.npz");

        Result unknownOption = run("forward", "--modle", model.toString());
        assertEquals(2, unknownOption.code());
        assertTrue(Files.notExists(dir.resolve("y.npy")));
    }

    private static void assertOneLineContaining(String err, String... parts) {
        String trimmed = err.strip();
        assertEquals(1, trimmed.lines().count(), "expected one line but got:\n" + err);
        for (String p : parts) {
            assertTrue(trimmed.contains(p), "expected '" + p + "' in: " + trimmed);
        }
    }

    @Test
    void cudaBackendOnTheEmulatedDeviceWritesWhatJavaWrites() throws IOException {
        String libs = System.getProperty("tangent4j.cuda.libs");
        org.junit.jupiter.api.Assumptions.assumeTrue(libs != null && Files.exists(Path.of(libs, "libcudart.so.13")),
                "native/emu was not built (needs gcc and libopenblas-dev); CUDA CLI path not exercised");
        Mlp mlp = Mlp.random(12, Activation.TANH, Parameterization.STANDARD, DType.F64, 4, 33, 9, 3);
        Npz.write(dir.resolve("m.npz"), StateDict.fromMlp(mlp));
        Tensor x = inputs(41, 4);
        for (String backend : new String[] {"java", "cuda"}) {
            Result r = run("forward", "--model", dir.resolve("m.npz").toString(), "--activation", "tanh",
                    "--x", dir.resolve("x.npy").toString(), "--out", dir.resolve(backend + ".npy").toString(),
                    "--backend", backend);
            assertEquals(0, r.code(), r.err());
            assertOutputsMatch(mlp, x, dir.resolve(backend + ".npy"), 1e-12);
        }
        Tensor j = Npy.read(dir.resolve("java.npy"));
        Tensor c = Npy.read(dir.resolve("cuda.npy"));
        for (long i = 0; i < j.size(); i++) {
            assertEquals(j.getFlat(i), c.getFlat(i), 1e-12 * Math.max(1, Math.abs(j.getFlat(i))));
        }
    }

    @Test
    void withoutTheVectorModuleTheScalarKernelsGiveTheSameOutputs() throws Exception {
        Mlp mlp = Mlp.random(8, Activation.RELU, Parameterization.STANDARD, DType.F64, 5, 40, 3);
        Npz.write(dir.resolve("m.npz"), StateDict.fromMlp(mlp));
        Tensor x = inputs(70, 5);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "forward", "--backend", "java",
                "--model", dir.resolve("m.npz").toString(), "--x", dir.resolve("x.npy").toString(),
                "--out", dir.resolve("y.npy").toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), output);
        assertTrue(output.contains("jdk.incubator.vector is absent"), output);
        assertOutputsMatch(mlp, x, dir.resolve("y.npy"), 1e-12);
    }

    @Test
    void infoNamesTheChosenBackendAndWhy() {
        Result r = run("info");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("backend java: available"), r.out());
        assertTrue(r.out().contains("chosen: "), r.out());
    }
}
