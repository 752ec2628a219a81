package io.github.tangent4j.cli;

import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.symmetry.CanonicalForm;
import picocli.CommandLine.Command;

/** {@code tangent4j canonical}: the balanced network with its units in a deterministic order. */
@Command(name = "canonical", mixinStandardHelpOptions = true,
        description = "Write to --out (.npz or .safetensors) the balanced network with each hidden layer's units in a"
                + " deterministic order: networks that differ by unit permutations and positive rescalings give the"
                + " same file (to rounding). relu, leaky_relu, abs or identity only.")
final class CanonicalCommand extends NetworkRewriteCommand {
    @Override
    Mlp rewrite(Mlp mlp) {
        return CanonicalForm.of(mlp);
    }
}
