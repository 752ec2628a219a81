package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.jacobian.Jacobians;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What {@code jvp} and {@code vjp} share: load the model, x and a vector file, apply one Jacobian product, write. */
abstract class ProductCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--wrt", paramLabel = "input|params", defaultValue = "input",
            description = "input or parameter space (default: ${DEFAULT-VALUE})")
    JacobianCommand.Wrt wrt;

    /** The vector file and its option name. */
    abstract Path vector();

    abstract String vectorOption();

    /** The shape of the product for {@code n} inputs (with {@code params}: in parameter space). */
    abstract long[] outputShape(Mlp mlp, long n, boolean params);

    /** The product with respect to the inputs or, with {@code params}, the parameters. */
    abstract Tensor apply(Jacobians jac, Backend backend, Tensor x, Tensor vector, boolean params);

    @Override
    public final Integer call() throws Exception {
        Mlp mlp = common.loadModel();
        Tensor raw = common.openInputs(common.x, "--x", mlp);
        Tensor rawVector = common.openArray(vector(), vectorOption());
        common.checkRoom(outputShape(mlp, raw.dim(0), wrt == JacobianCommand.Wrt.params), true);
        Tensor x = common.checked(raw, "--x", common.x);
        Tensor v = common.checked(rawVector, vectorOption(), vector());
        try (Backend backend = common.openBackend()) {
            common.write(apply(Jacobians.of(mlp), backend, x, v, wrt == JacobianCommand.Wrt.params));
        }
        return 0;
    }
}
