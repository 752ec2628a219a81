package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.patterns.Arrangements;
import io.github.tangent4j.tensor.Npy;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tangent4j arrangements}: the distinct sign patterns 1[X u >= 0] of the inputs over M
 * directions u ~ N(0, I) drawn with a seed, as (N, M') booleans (no model needed).
 */
@Command(name = "arrangements", mixinStandardHelpOptions = true,
        description = "Write the distinct patterns 1[X u >= 0] over M sampled Gaussian directions u, (N, M') booleans.")
final class ArrangementsCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--m", required = true, paramLabel = "M", description = "number of directions to sample")
    long m;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws Exception {
        CommonOptions.required("--x", common.x, "an .npy file of shape (N, D)");
        Tensor x = Npy.read(common.x);
        if (x.rank() != 2 || !x.dtype().isFloating()) {
            throw new IllegalArgumentException("--x " + common.x + ": expected a float array of shape (N, D) but was "
                    + x.dtype() + " " + Shapes.format(x.shape()));
        }
        try (Backend backend = common.openBackend()) {
            common.write(Arrangements.sample(backend, x.dtype() == common.dtype ? x : x.to(common.dtype), m, seed, null)
                    .toBooleans());
        }
        return 0;
    }
}
