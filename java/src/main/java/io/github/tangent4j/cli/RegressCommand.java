package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.kernels.InfiniteWidthKernel;
import io.github.tangent4j.kernels.KernelPredictor;
import io.github.tangent4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tangent4j regress}: kernel regression with the infinite-width NNGP or NTK on (--x, --y): the
 * posterior mean at --xtest, or with --times the gradient-descent predictor at each time.
 */
@Command(name = "regress", mixinStandardHelpOptions = true,
        description = "Kernel regression with the NNGP or NTK: the posterior mean at --xtest, (Ntest,) or (Ntest, O); "
                + "with --times the gradient-descent predictor at each time, (len(T), Ntest[, O]).")
final class RegressCommand implements Callable<Integer> {
    /** The kernels regression can use. */
    enum Kernel {
        nngp, ntk
    }

    @Mixin
    KernelOptions options;

    @Option(names = "--kernel", required = true, paramLabel = "nngp|ntk", description = "the kernel")
    Kernel kernel;

    @Mixin
    TrainTestOptions data;

    @Option(names = "--reg", paramLabel = "R", defaultValue = "0",
            description = "diagonal regulariser added to K(X, X) (default: ${DEFAULT-VALUE})")
    double reg;

    @Option(names = "--times", paramLabel = "FILE",
            description = "training times, 1-D .npy (inf allowed): write the gradient-descent predictor at each")
    Path times;

    @Override
    public Integer call() throws Exception {
        InfiniteWidthKernel k = options.kernel();
        TrainTestOptions.Opened raw = data.open(options);
        long n = raw.x().dim(0);
        long nTest = raw.xtest().dim(0);
        // the kernel matrices K(x, x) and K(xtest, x) are held in memory, with the output
        options.checkRoom(new long[] {nTest}, false);
        Room.checkMemory(Room.bytes(options.dtype, Room.plus(n, nTest), n),
                "the kernel matrices K(--x, --x) and K(--xtest, --x)");
        TrainTestOptions.Checked in = data.check(options, raw);
        Tensor x = in.x();
        Tensor targets = in.targets();
        Tensor xt = in.xtest();
        double[] t = times == null ? null : KernelOptions.times(times);
        if (kernel != Kernel.ntk) {
            k = k.withGet(InfiniteWidthKernel.Get.NNGP);
        }
        try (Backend backend = options.openBackend()) {
            InfiniteWidthKernel.Result train = k.compute(backend, x, null);
            InfiniteWidthKernel.Result cross = k.compute(backend, xt, x);
            Tensor kTrain = kernel == Kernel.ntk ? train.outputNtk() : train.outputNngp();
            Tensor kCross = kernel == Kernel.ntk ? cross.outputNtk() : cross.outputNngp();
            options.write(t == null ? KernelPredictor.posterior(kTrain, kCross, null, targets, reg).mean()
                    : KernelPredictor.gradientDescent(kTrain, kCross, targets, reg, t));
        }
        return 0;
    }
}
