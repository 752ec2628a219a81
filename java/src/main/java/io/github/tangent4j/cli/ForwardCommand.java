package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.chunked.RowChunks;
import io.github.tangent4j.jacobian.Jacobians;
import io.github.tangent4j.nn.DeviceMlp;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.Tensor;
import picocli.CommandLine.Command;

/**
 * {@code tangent4j forward}: writes the network's outputs f(x), shape (N, O), streamed tile by tile into
 * the output file.
 */
@Command(name = "forward", mixinStandardHelpOptions = true,
        description = "Write the network outputs f(x), shape (N, O).")
final class ForwardCommand extends RowChunkedCommand {
    @Override
    long[] outputShape(Mlp mlp, long n) {
        return new long[] {n, mlp.outputDim()};
    }

    @Override
    RowChunks rowChunks() {
        return new RowChunks(RowChunks.Output.FORWARD, Jacobians.Mode.AUTO);
    }

    @Override
    boolean outputInMemory() {
        return false;
    }

    @Override
    void compute(Mlp mlp, Tensor x, Backend backend) throws Exception {
        try (DeviceMlp device = DeviceMlp.upload(backend, mlp)) {
            // Tile by tile into the memory-mapped output file: the outputs are never all in memory.
            common.write(mlp.dtype(), outputShape(mlp, x.dim(0)), y -> device.forward(x, y));
        }
    }
}
