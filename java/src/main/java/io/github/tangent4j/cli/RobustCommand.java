package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.kernels.InfiniteWidthKernel;
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
    /** Above this a failed solve is put down to --lambda (the kernel entries are O(1) for sane inputs). */
    private static final double LARGE_LAMBDA = 1e100;

    @Mixin
    KernelOptions options;

    @Option(names = "--lambda", required = true, paramLabel = "L",
            description = "weight of the penalty lambda/2 sum_n |df/dx(x_n)|^2")
    double lambda;

    @Mixin
    TrainTestOptions data;

    @Option(names = "--times", required = true, paramLabel = "FILE",
            description = "training times, 1-D .npy (inf allowed)")
    Path times;

    @Override
    public Integer call() throws Exception {
        InfiniteWidthKernel kernel = options.kernel();
        TrainTestOptions.Opened raw = data.open(options);
        // the Jacobian kernels of (f, df/dx) on x and between xtest and x are held in memory
        long block = Room.plus(1, raw.x().dim(1));
        Room.checkMemory(Room.bytes(options.dtype, Room.times(Room.plus(raw.x().dim(0), raw.xtest().dim(0)), block),
                Room.times(raw.x().dim(0), block)), "the Jacobian kernel matrices of --x and --xtest");
        TrainTestOptions.Checked in = data.check(options, raw);
        double[] t = KernelOptions.times(times);
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("--lambda: expected a finite value >= 0 but was " + lambda);
        }
        try (Backend backend = options.openBackend()) {
            Tensor prediction;
            try {
                prediction = RobustPredictor.predict(backend, kernel, in.x(), in.targets(), in.xtest(), lambda, t);
            } catch (IllegalArgumentException | ArithmeticException | IllegalStateException e) {
                if (lambda <= LARGE_LAMBDA) {
                    throw e;
                }
                // the inputs were checked: a huge penalty is what broke the solve
                throw new IllegalArgumentException("--lambda: " + lambda + " is too large: the penalised system"
                        + " overflowed or could not be solved (" + Errors.message(e) + "); expected a smaller value", e);
            }
            options.write(prediction);
        }
        return 0;
    }
}
