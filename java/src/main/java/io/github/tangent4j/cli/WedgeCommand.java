package io.github.tangent4j.cli;

import io.github.tangent4j.convex.WedgeProducts;
import io.github.tangent4j.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/**
 * {@code tangent4j wedge}: the generalised cross products (wedge products) of every (or K sampled)
 * (d-1)-subsets of the samples, or d-subsets with {@code --bias} ({@link WedgeProducts}).
 */
@Command(name = "wedge", mixinStandardHelpOptions = true,
        description = "Normals of the hyperplanes through every (d-1)-subset of the samples (d-subset with --bias,"
                + " x~ = (x, 1)) as generalised cross products, subsets in lexicographic order, each row divided by"
                + " the norm of its first d entries: (C, d) or (C, d+1).")
final class WedgeCommand implements Callable<Integer> {
    @Mixin
    DataOptions data;

    @Option(names = "--bias", description = "affine hyperplanes: samples lifted to (x, 1), subsets of d")
    boolean bias;

    @Option(names = "--sample", paramLabel = "K", description = "draw K distinct subsets instead of all")
    Long sample;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "seed for --sample (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws Exception {
        Tensor x = data.loadMatrix(data.x, "--x", -1, "");
        Tensor w;
        try {
            w = sample == null ? WedgeProducts.all(x, bias) : WedgeProducts.sampled(x, bias, sample, seed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException((sample != null && e.getMessage().startsWith("samples") ? "--sample"
                    : "--x " + data.x) + ": " + e.getMessage().replaceFirst("^(samples|x): ", ""), e);
        }
        data.write(w);
        return 0;
    }
}
