package io.github.tangent4j.cli;

import io.github.tangent4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The targets --y and the test inputs --xtest of the kernel predictors ({@code regress}, {@code robust}),
 * beside the training inputs --x of {@link KernelOptions}. A mixin: the inputs are opened first (their shapes
 * known, no value read) so that the command can refuse what will not fit, then checked and read.
 */
final class TrainTestOptions {
    @Option(names = "--y", required = true, paramLabel = "FILE", description = "targets, .npy (N,) or (N, O)")
    Path y;

    @StandardInput
    @Option(names = "--xtest", required = true, paramLabel = "FILE", description = "test inputs, .npy (Ntest, D)")
    Path xtest;

    /** --x (N, D) and --xtest (Ntest, D) opened: shapes checked, values not yet read. */
    record Opened(Tensor x, Tensor xtest) {
    }

    /** The checked training inputs (N, D), targets (N,) or (N, O), and test inputs (Ntest, D). */
    record Checked(Tensor x, Tensor targets, Tensor xtest) {
    }

    /** Opens --x and --xtest (as wide as --x). */
    Opened open(KernelOptions options) throws IOException {
        Tensor rawX = options.openMatrix(options.x, "--x", -1, "");
        return new Opened(rawX, options.openMatrix(xtest, "--xtest", rawX.dim(1), "like --x"));
    }

    /** Scans and converts the opened inputs and reads --y (one row per row of --x). */
    Checked check(KernelOptions options, Opened opened) throws IOException {
        Tensor x = options.checked(opened.x(), "--x", options.x);
        Tensor targets = options.targets(y, x.dim(0));
        return new Checked(x, targets, options.checked(opened.xtest(), "--xtest", xtest));
    }
}
