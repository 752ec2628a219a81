package io.github.tangent4j.cli;

import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.symmetry.RadonNorm;
import picocli.CommandLine.Command;

/** {@code tangent4j rnorm}: the R-norm (Parhi and Nowak) of a network with one hidden layer. */
@OptionalOutput
@Command(name = "rnorm", mixinStandardHelpOptions = true,
        description = "One hidden layer only: print 'rtv2 V', the second-order total variation in the Radon domain of"
                + " the function, sum over distinct hyperplanes H of |sum_(k in H) v_k ||w_k|| | (units on one"
                + " hyperplane up to sign grouped), summed over outputs; --out writes it per output, (O,).")
final class RnormCommand extends NetworkCommand {
    @Override
    public Integer call() throws Exception {
        Mlp mlp = common.loadModel();
        RadonNorm.Result r = RadonNorm.of(mlp).compute();
        if (common.out != null) {
            writePerOutput(mlp, r.perOutput());
        }
        out().println("rtv2 " + r.total());
        return 0;
    }
}
