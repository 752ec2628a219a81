package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.symmetry.PathNorm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tangent4j pathnorm}: the L_q path norm of the network, in total and per output. */
@OptionalOutput
@Command(name = "pathnorm", mixinStandardHelpOptions = true,
        description = "Print 'pathnorm V', the L_Q path norm (1^T v_L)^(1/Q), v_0 = 1_D, v_l = |W_l|^Q v_(l-1) + |b_l|^Q;"
                + " --out writes the per-output values (v_L)^(1/Q), (O,). relu, leaky_relu, abs or identity only.")
final class PathnormCommand extends NetworkCommand {
    @Option(names = "--q", paramLabel = "Q", defaultValue = "1",
            description = "the exponent, any Q >= 1 (default: ${DEFAULT-VALUE})")
    double q;

    @Override
    public Integer call() throws Exception {
        if (!(q >= 1) || Double.isInfinite(q)) {
            throw new IllegalArgumentException("--q: expected a finite number >= 1 but was " + q);
        }
        Mlp mlp = common.loadModel();
        PathNorm norm = PathNorm.of(mlp).withQ(q);
        try (Backend backend = common.openBackend()) {
            PathNorm.Result r = norm.compute(backend);
            if (common.out != null) {
                writePerOutput(mlp, r.perOutput());
            }
            out().println("pathnorm " + r.total());
        }
        return 0;
    }
}
