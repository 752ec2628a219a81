package io.github.tangent4j.cli;

import io.github.tangent4j.kernels.InfiniteWidthKernel;
import io.github.tangent4j.nn.Architecture;
import io.github.tangent4j.tensor.Npy;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options of the infinite-width kernel subcommands ({@code kernel}, {@code regress}, {@code robust}):
 * the model-free {@link DataOptions} and the architecture of CLI.md's {@code kernel} row.
 */
final class KernelOptions extends DataOptions {
    @Option(names = "--depth", required = true, paramLabel = "L",
            description = "number of hidden layers L, 0 to " + Limits.MAX_DEPTH)
    long depth;

    @Option(names = "--sigma-w2", required = true, paramLabel = "S", description = "weight variance sigma_w^2")
    double sigmaW2;

    @Option(names = "--sigma-b2", required = true, paramLabel = "B", description = "bias variance sigma_b^2")
    double sigmaB2;

    /** The kernel of the architecture given by --activation, --depth, --sigma-w2, --sigma-b2. */
    InfiniteWidthKernel kernel() {
        Limits.checkDepth(depth);
        return InfiniteWidthKernel.of(Architecture.ntkVariances(activation, (int) depth, sigmaW2, sigmaB2));
    }

    /** The training inputs --x, (N, D). */
    Tensor inputs() throws IOException {
        return loadMatrix(x, "--x", -1, "");
    }

    /** Targets from {@code file}: (n,) or (n, O), converted to --dtype. */
    Tensor targets(Path file, long n) throws IOException {
        Tensor y = Npy.read(file);
        if ((y.rank() != 1 && y.rank() != 2) || y.dim(0) != n) {
            throw new IllegalArgumentException("--y " + file + ": expected shape (" + n + ",) or (" + n
                    + ", O) for the " + n + " rows of --x but was " + Shapes.format(y.shape()));
        }
        return floating(y, "--y", file);
    }

    /** Times from {@code file}: a 1-D float array of values >= 0, {@code inf} allowed. */
    static double[] times(Path file) throws IOException {
        Tensor t = Npy.read(file);
        if (t.rank() != 1 || !t.dtype().isFloating()) {
            throw new IllegalArgumentException("--times " + file + ": expected a 1-D float array but was "
                    + t.dtype() + " " + Shapes.format(t.shape()));
        }
        double[] v = t.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            if (!(v[i] >= 0)) {
                throw new IllegalArgumentException("--times " + file + ": expected times >= 0 (inf allowed) but element "
                        + i + " is " + v[i]);
            }
        }
        return v;
    }
}
