package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.chunked.RowChunks;
import io.github.tangent4j.jacobian.Jacobians;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.patterns.ActivationPatterns;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import picocli.CommandLine.Command;

/** {@code tangent4j patterns}: writes the activation patterns, (N, H) booleans. */
@Command(name = "patterns", mixinStandardHelpOptions = true,
        description = "Write the activation patterns: (N, H) booleans, pre-activation > 0, hidden layers in order.")
final class PatternsCommand extends RowChunkedCommand {
    @Override
    long[] outputShape(Mlp mlp, long n) {
        return new long[] {n, mlp.hiddenUnits()};
    }

    @Override
    DType outputType(Mlp mlp) {
        return DType.BOOL;
    }

    @Override
    RowChunks rowChunks() {
        return new RowChunks(RowChunks.Output.PATTERNS, Jacobians.Mode.AUTO);
    }

    @Override
    void compute(Mlp mlp, Tensor x, Backend backend) throws Exception {
        try (ProgressBars bar = ProgressBars.open("patterns")) {
            common.write(ActivationPatterns.of(mlp).withProgress(bar.listener()).compute(backend, x, null)
                    .toBooleans());
        }
    }
}
