package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.patterns.Arrangements;
import io.github.tangent4j.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tangent4j arrangements}: the distinct sign patterns 1[X u >= 0] of the inputs over M
 * directions u ~ N(0, I) drawn with a seed, as (N, M') booleans (no model needed).
 */
@Command(name = "arrangements", mixinStandardHelpOptions = true,
        description = "Write the distinct patterns 1[X u >= 0] over M sampled Gaussian directions u, (N, M') booleans.")
final class ArrangementsCommand extends NetworkCommand {
    @Option(names = "--m", required = true, paramLabel = "M",
            description = "number of directions to sample, 1 to " + Arrangements.MAX_DIRECTIONS)
    long m;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (m < 1 || m > Arrangements.MAX_DIRECTIONS) {
            throw new IllegalArgumentException("--m: expected 1 to " + Arrangements.MAX_DIRECTIONS
                    + " directions but was " + m);
        }
        Tensor raw = common.openMatrix(common.x, "--x", -1, "");
        long n = raw.dim(0);
        // the directions (M, D) and the packed patterns (M, N bits)
        Room.checkMemory(Room.plus(Room.bytes(common.dtype, m, raw.dim(1)), Room.times(m, n / 8 + 8)),
                "the " + m + " directions and their patterns");
        // the output (N, M') booleans has at least one column
        common.checkRoom(io.github.tangent4j.tensor.DType.BOOL, new long[] {n, 1}, false);
        Tensor x = common.checked(raw, "--x", common.x);
        try (Backend backend = common.openBackend()) {
            common.write(Arrangements.sample(backend, x, m, seed, null).toBooleans());
        }
        return 0;
    }
}
