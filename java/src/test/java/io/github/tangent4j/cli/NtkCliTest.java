package io.github.tangent4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.tensor.Npy;
import io.github.tangent4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code ntk} against PyTorch's J(x) J(x2)^T on networks saved from PyTorch (fixtures/make_fixtures.py). */
class NtkCliTest {
    @TempDir
    Path dir;

    static Stream<Arguments> cases() {
        return TestBackends.names().stream().flatMap(b -> Stream.of("relu", "tanh").map(a -> Arguments.of(b, a)));
    }

    private CliTest.Result run(String backend, String act, String... more) {
        String[] base = {"ntk", "--model", dir.resolve(act + "_model.npz").toString(), "--activation", act, "--x",
            dir.resolve(act + "_x.npy").toString(), "--backend", backend, "--out", dir.resolve("k.npy").toString()};
        return CliTest.run(Stream.concat(Stream.of(base), Stream.of(more)).toArray(String[]::new));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void reproducesPyTorchsJacobianContraction(String backend, String act) throws IOException {
        JacobianCliTest.assumeBackend(backend);
        Map<String, Tensor> ref = JacobianCliTest.fixture(dir, act);
        String x2 = dir.resolve(act + "_x2.npy").toString();
        for (String method : new String[] {"structured", "materialised"}) {
            CliTest.Result r = run(backend, act, "--x2", x2, "--method", method);
            assertEquals(0, r.code(), r.err());
            JacobianCliTest.assertClose(ref.get("ntk"), Npy.read(dir.resolve("k.npy")), 1e-10);
            r = run(backend, act, "--x2", x2, "--trace", "--method", method);
            assertEquals(0, r.code(), r.err());
            JacobianCliTest.assertClose(ref.get("ntk_trace"), Npy.read(dir.resolve("k.npy")), 1e-10);
        }
        CliTest.Result r = run(backend, act, "--diagonal", "--per-layer");
        assertEquals(0, r.code(), r.err());
        Tensor perLayer = Npy.read(dir.resolve("k.npy"));
        assertArrayEquals(new long[] {3, 5, 2, 2}, perLayer.shape());
        Tensor jp = ref.get("parameter_jacobian");   // (5, 2, P)
        for (int i = 0; i < 5; i++) {
            for (int a = 0; a < 2; a++) {
                for (int b = 0; b < 2; b++) {
                    double s = 0;
                    double sum = 0;
                    for (long q = 0; q < jp.dim(2); q++) {
                        s += jp.get(i, a, q) * jp.get(i, b, q);
                    }
                    for (int l = 0; l < 3; l++) {
                        sum += perLayer.get(l, i, a, b);
                    }
                    assertEquals(s, sum, 1e-10 * Math.max(1, Math.abs(s)));
                }
            }
        }
        r = run(backend, act, "--trace", "--diagonal");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--trace, --diagonal"), r.err());
    }
}
