package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.jacobian.Jacobians;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.Tensor;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * What {@code jvp} and {@code vjp} share: besides --x, a vector file; one Jacobian product with respect to
 * the inputs or the parameters, written to --out.
 */
abstract class ProductCommand extends ModelCommand {
    @Option(names = "--wrt", paramLabel = "input|params", defaultValue = "input",
            description = "input or parameter space (default: ${DEFAULT-VALUE})")
    JacobianCommand.Wrt wrt;

    private Tensor rawVector;
    private Tensor checkedVector;

    /** The vector file and its option name. */
    abstract Path vector();

    abstract String vectorOption();

    /** The shape of the product for {@code n} inputs (with {@code params}: in parameter space). */
    abstract long[] outputShape(Mlp mlp, long n, boolean params);

    /** The product with respect to the inputs or, with {@code params}, the parameters. */
    abstract Tensor apply(Jacobians jac, Backend backend, Tensor x, Tensor vector, boolean params);

    @Override
    final void openMore(Mlp mlp) throws Exception {
        rawVector = common.openArray(vector(), vectorOption());
    }

    @Override
    final void checkMore() {
        checkedVector = common.checked(rawVector, vectorOption(), vector());
    }

    @Override
    final long[] outputShape(Mlp mlp, long n) {
        return outputShape(mlp, n, wrt == JacobianCommand.Wrt.params);
    }

    @Override
    final boolean outputInMemory() {
        return true;
    }

    @Override
    final void compute(Mlp mlp, Tensor x, Backend backend) throws Exception {
        common.write(apply(Jacobians.of(mlp), backend, x, checkedVector, wrt == JacobianCommand.Wrt.params));
    }
}
