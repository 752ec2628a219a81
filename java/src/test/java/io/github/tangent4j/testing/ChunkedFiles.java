package io.github.tangent4j.testing;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.nn.StateDict;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Npy;
import io.github.tangent4j.tensor.Npz;
import io.github.tangent4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The files the chunked-output tests run the CLI on, in the core's tests and the Spark module's (through
 * the core's test jar): a random 3-16-8-2 ReLU network as {@code m.npz} and standard normal inputs
 * {@code x.npy} (n, 3) and {@code x2.npy} (n2, 3), all F64.
 *
 * @param model the network's state dict
 * @param x     the first inputs
 * @param x2    the second inputs
 */
public record ChunkedFiles(Path model, Path x, Path x2) {
    /** Writes the three files into {@code dir}: the network from {@code seed}, the inputs from seeds 1 and 2. */
    public static ChunkedFiles write(Path dir, long seed, long n, long n2) throws IOException {
        ChunkedFiles f = new ChunkedFiles(dir.resolve("m.npz"), dir.resolve("x.npy"), dir.resolve("x2.npy"));
        Npz.write(f.model, StateDict.fromMlp(Mlp.random(seed, Activation.RELU, Parameterization.STANDARD,
                DType.F64, 3, 16, 8, 2)));
        Npy.write(f.x, gaussian(n, 3, 1));
        Npy.write(f.x2, gaussian(n2, 3, 2));
        return f;
    }

    /** An (n, d) F64 tensor of independent standard normal entries from {@code seed}. */
    public static Tensor gaussian(long n, long d, long seed) {
        return Gaussian.matrix(seed, n, d);
    }
}
