package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.jacobian.Jacobians;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.Shapes;
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

    /** The shape the vector file must have for {@code n} inputs (with {@code params}: in parameter space). */
    abstract long[] vectorShape(Mlp mlp, long n, boolean params);

    @Override
    final void openMore(Mlp mlp, Tensor rawX) throws Exception {
        rawVector = common.openArray(vector(), vectorOption());
        // the shape before any value is read: a header claiming far more rows is refused at once
        long[] expected = vectorShape(mlp, rawX.dim(0), wrt == JacobianCommand.Wrt.params);
        if (!Shapes.same(expected, rawVector.shape())) {
            throw new IllegalArgumentException(vectorOption() + " " + vector() + ": expected shape "
                    + Shapes.format(expected) + (wrt == JacobianCommand.Wrt.params && expected.length == 1
                    ? " (the parameter count)" : " for the " + rawX.dim(0) + " rows of --x") + " but was "
                    + Shapes.format(rawVector.shape()));
        }
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
    final void compute(Mlp mlp, Tensor x, Backend backend) throws Exception {
        common.write(apply(Jacobians.of(mlp), backend, x, checkedVector, wrt == JacobianCommand.Wrt.params));
    }
}
