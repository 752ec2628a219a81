package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.kernels.RobustPredictor;
import io.github.tangent4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tangent4j robust}: the mean prediction at --xtest of the infinitely wide network trained on
 * (--x, --y) by gradient flow with the Jacobian penalty --lambda, at each of --times.
 */
@Command(name = "robust", mixinStandardHelpOptions = true,
        description = "The Jacobian-regularised training predictor (mean, infinite width) at each time, "
                + "(len(T), Ntest) or (len(T), Ntest, O).")
final class RobustCommand implements Callable<Integer> {
    @Mixin
    KernelOptions options;

    @Option(names = "--lambda", required = true, paramLabel = "L",
            description = "weight of the penalty lambda/2 sum_n |df/dx(x_n)|^2")
    double lambda;

    @Option(names = "--y", required = true, paramLabel = "FILE", description = "targets, .npy (N,) or (N, O)")
    Path y;

    @StandardInput
    @Option(names = "--xtest", required = true, paramLabel = "FILE", description = "test inputs, .npy (Ntest, D)")
    Path xtest;

    @Option(names = "--times", required = true, paramLabel = "FILE",
            description = "training times, 1-D .npy (inf allowed)")
    Path times;

    @Override
    public Integer call() throws Exception {
        Tensor x = options.inputs();
        Tensor targets = options.targets(y, x.dim(0));
        Tensor xt = options.loadMatrix(xtest, "--xtest", x.dim(1), "like --x");
        double[] t = KernelOptions.times(times);
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("--lambda: expected a finite value >= 0 but was " + lambda);
        }
        try (Backend backend = options.openBackend()) {
            options.write(RobustPredictor.predict(backend, options.kernel(), x, targets, xt, lambda, t));
        }
        return 0;
    }
}
