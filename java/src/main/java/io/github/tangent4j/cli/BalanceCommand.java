package io.github.tangent4j.cli;

import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.symmetry.Balancing;
import picocli.CommandLine.Command;

/** {@code tangent4j balance}: the network rescaled unit by unit to the least weight decay (same function). */
@Command(name = "balance", mixinStandardHelpOptions = true,
        description = "Write to --out (.npz or .safetensors) the network rescaled unit by unit to the minimum of the"
                + " weight decay sum_l ||W_l||^2 + ||b_l||^2 (hidden biases, not the output bias), the same function;"
                + " print 'weight-decay BEFORE -> AFTER'. relu, leaky_relu, abs or identity only.")
final class BalanceCommand extends NetworkRewriteCommand {
    private Balancing.Result balanced;

    @Override
    Mlp rewrite(Mlp mlp) {
        balanced = Balancing.of(mlp).compute();
        return balanced.network();
    }

    @Override
    void report() {
        SymmetryNotes.balancing(spec, balanced);
        out().println("weight-decay " + balanced.weightDecayBefore() + " -> " + balanced.weightDecayAfter());
    }
}
