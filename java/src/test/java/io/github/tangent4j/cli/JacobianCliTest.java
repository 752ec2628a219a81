package io.github.tangent4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.backend.cuda.Emu;
import io.github.tangent4j.tensor.Npy;
import io.github.tangent4j.tensor.Npz;
import io.github.tangent4j.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code jacobian}, {@code jvp}, {@code vjp} against PyTorch autograd on networks saved from PyTorch (fixtures/make_fixtures.py). */
class JacobianCliTest {
    @TempDir
    Path dir;

    static Stream<Arguments> cases() {
        return TestBackends.names().stream().flatMap(b -> Stream.of("relu", "tanh", "leaky_relu")
                .map(a -> Arguments.of(b, a)));
    }

    /** Copies the fixture files of {@code act} into the test directory. */
    static Map<String, Tensor> fixture(Path dir, String act) throws IOException {
        for (String f : new String[] {"_model.npz", "_x.npy", "_x2.npy", "_ref.npz"}) {
            try (InputStream in = JacobianCliTest.class.getResourceAsStream("/io/github/tangent4j/pytorch/" + act + f)) {
                Files.copy(in, dir.resolve(act + f));
            }
        }
        return Npz.read(dir.resolve(act + "_ref.npz"));
    }

    static void assumeBackend(String backend) {
        if (backend.equals("cuda")) {
            io.github.tangent4j.backend.TestBackends.requireEmu();
        }
    }

    static void assertClose(Tensor expected, Tensor actual, double rel) {
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        for (long i = 0; i < expected.size(); i++) {
            double e = expected.getFlat(i);
            assertEquals(e, actual.getFlat(i), rel * Math.max(1, Math.abs(e)), "element " + i);
        }
    }

    private CliTest.Result run(String backend, String act, String command, String... more) {
        String[] base = {command, "--model", dir.resolve(act + "_model.npz").toString(), "--activation",
            act.equals("leaky_relu") ? "leaky_relu:0.01" : act, "--x", dir.resolve(act + "_x.npy").toString(),
            "--backend", backend};
        String[] args = Stream.concat(Stream.of(base), Stream.of(more)).toArray(String[]::new);
        return CliTest.run(args);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void reproducesPyTorchAutograd(String backend, String act) throws IOException {
        assumeBackend(backend);
        Map<String, Tensor> ref = fixture(dir, act);
        Path out = dir.resolve("out.npy");
        for (String mode : new String[] {"reverse", "forward"}) {
            CliTest.Result r = run(backend, act, "jacobian", "--wrt", "input", "--mode", mode, "--out", out.toString());
            assertEquals(0, r.code(), r.err());
            assertClose(ref.get("input_jacobian"), Npy.read(out), 1e-10);
        }
        CliTest.Result r = run(backend, act, "jacobian", "--wrt", "params", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertClose(ref.get("parameter_jacobian"), Npy.read(out), 1e-10);

        r = run(backend, act, "jacobian", "--norm", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        Tensor j = ref.get("input_jacobian");
        Tensor norms = Npy.read(out);
        assertArrayEquals(new long[] {5}, norms.shape());
        for (int i = 0; i < 5; i++) {
            double s = 0;
            for (int k = 0; k < 6; k++) {
                s += j.getFlat(i * 6 + k) * j.getFlat(i * 6 + k);
            }
            assertEquals(s, norms.getFlat(i), 1e-10 * Math.max(1, s));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void jvpAndVjpContractThePyTorchJacobian(String backend, String act) throws IOException {
        assumeBackend(backend);
        Map<String, Tensor> ref = fixture(dir, act);
        Tensor j = ref.get("input_jacobian");   // (5, 2, 3)
        Tensor t = Tensor.of(new double[] {1, 0.5, -2, 0, 1, 0.25, 3, -1, 1, 0.5, 0.5, 0.5, -1, 2, 0}, 5, 3);
        Tensor c = Tensor.of(new double[] {1, -1, 0.5, 2, 0, 1, -3, 0.25, 1, 1}, 5, 2);
        Npy.write(dir.resolve("t.npy"), t);
        Npy.write(dir.resolve("c.npy"), c);
        Path out = dir.resolve("out.npy");
        CliTest.Result r = run(backend, act, "jvp", "--tangent", dir.resolve("t.npy").toString(), "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        Tensor jvp = Npy.read(out);
        r = run(backend, act, "vjp", "--cotangent", dir.resolve("c.npy").toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        Tensor vjp = Npy.read(out);
        for (int i = 0; i < 5; i++) {
            for (int o = 0; o < 2; o++) {
                double s = 0;
                for (int d = 0; d < 3; d++) {
                    s += j.get(i, o, d) * t.get(i, d);
                }
                assertEquals(s, jvp.get(i, o), 1e-10 * Math.max(1, Math.abs(s)));
            }
            for (int d = 0; d < 3; d++) {
                double s = 0;
                for (int o = 0; o < 2; o++) {
                    s += c.get(i, o) * j.get(i, o, d);
                }
                assertEquals(s, vjp.get(i, d), 1e-10 * Math.max(1, Math.abs(s)));
            }
        }
        r = run(backend, act, "jvp", "--tangent", dir.resolve("c.npy").toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--tangent ") && r.err().contains("expected shape (5, 3)"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}
