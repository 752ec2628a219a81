package io.github.tangent4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.linalg.SingularValues;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Npy;
import io.github.tangent4j.tensor.Npz;
import io.github.tangent4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code rank}: prints the rank, writes PyTorch's singular values with --out, honours --mask. */
class RankCliTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void printsTheRankAndWritesPyTorchsSingularValues(String backend) throws IOException {
        JacobianCliTest.assumeBackend(backend);
        Map<String, Tensor> ref = JacobianCliTest.fixture(dir, "relu");
        String[] base = {"rank", "--model", dir.resolve("relu_model.npz").toString(), "--x",
            dir.resolve("relu_x.npy").toString(), "--backend", backend};
        CliTest.Result r = CliTest.run(base);
        assertEquals(0, r.code(), r.err());
        assertEquals("rank 10", r.out().strip());

        Path out = dir.resolve("s.npy");
        r = CliTest.run(concat(base, "--out", out.toString(), "--method", "gram"));
        assertEquals(0, r.code(), r.err());
        assertEquals("rank 10", r.out().strip());
        Tensor j = ref.get("parameter_jacobian");   // (5, 2, P)
        double[] expected = SingularValues.of(j.reshape(10, j.dim(2)));
        Tensor s = Npy.read(out);
        assertArrayEquals(new long[] {10}, s.shape());
        for (int i = 0; i < 10; i++) {
            assertEquals(expected[i], s.getFlat(i), 1e-6 * expected[0], "singular value " + i);
        }

        // only the output biases trainable: d f_o / d b_o' is the identity, rank O = 2
        Map<String, Tensor> mask = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : Npz.read(dir.resolve("relu_model.npz")).entrySet()) {
            Tensor m = Tensor.allocate(DType.BOOL, e.getValue().shape());
            if (e.getKey().equals("4.bias")) {
                m.segment().fill((byte) 1);
            }
            mask.put(e.getKey(), m);
        }
        Npz.write(dir.resolve("mask.npz"), mask);
        r = CliTest.run(concat(base, "--mask", dir.resolve("mask.npz").toString()));
        assertEquals(0, r.code(), r.err());
        assertEquals("rank 2", r.out().strip());
        assertTrue(Files.exists(dir.resolve("relu_model.npz")));
    }

    private static String[] concat(String[] a, String... b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
