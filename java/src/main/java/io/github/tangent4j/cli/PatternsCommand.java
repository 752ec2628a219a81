package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.patterns.ActivationPatterns;
import io.github.tangent4j.tensor.Tensor;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code tangent4j patterns}: writes the activation patterns, (N, H) booleans. */
@Command(name = "patterns", mixinStandardHelpOptions = true,
        description = "Write the activation patterns: (N, H) booleans, pre-activation > 0, hidden layers in order.")
final class PatternsCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        Mlp mlp = common.loadModel();
        Tensor x = common.loadInputs(common.x, "--x", mlp);
        try (Backend backend = common.openBackend(); ProgressBars bar = ProgressBars.open("patterns")) {
            common.write(ActivationPatterns.of(mlp).withProgress(bar.listener()).compute(backend, x, null)
                    .toBooleans());
        }
        return 0;
    }
}
