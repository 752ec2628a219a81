package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.nn.DeviceMlp;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.Tensor;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code tangent4j forward}: writes the network's outputs f(x), shape (N, O), streamed tile by tile into
 * the output file.
 */
@Command(name = "forward", mixinStandardHelpOptions = true,
        description = "Write the network outputs f(x), shape (N, O).")
final class ForwardCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        Mlp mlp = common.loadModel();
        Tensor raw = common.openInputs(common.x, "--x", mlp);
        common.checkRoom(new long[] {raw.dim(0), mlp.outputDim()}, false);
        Tensor x = common.checked(raw, "--x", common.x);
        try (Backend backend = common.openBackend(); DeviceMlp device = DeviceMlp.upload(backend, mlp)) {
            // Tile by tile into the memory-mapped output file: the outputs are never all in memory.
            common.write(mlp.dtype(), new long[] {x.dim(0), mlp.outputDim()}, y -> device.forward(x, y));
        }
        return 0;
    }
}
