package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.jacobian.Jacobians;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.Tensor;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tangent4j vjp}: vector-Jacobian products (N, D), or the parameter gradient (P,). */
@Command(name = "vjp", mixinStandardHelpOptions = true,
        description = "Write the VJP c_i^T (d f/d x)(x_i), shape (N, D), for cotangents C (N, O); with --wrt params, "
                + "sum_i c_i^T (d f/d theta)(x_i), shape (P,).")
final class VjpCommand extends ProductCommand {
    @StandardInput
    @Option(names = "--cotangent", required = true, paramLabel = "FILE", description = ".npy cotangents, (N, O)")
    Path cotangent;

    @Override
    Path vector() {
        return cotangent;
    }

    @Override
    String vectorOption() {
        return "--cotangent";
    }

    @Override
    long[] vectorShape(Mlp mlp, long n, boolean params) {
        return new long[] {n, mlp.outputDim()};
    }

    @Override
    long[] outputShape(Mlp mlp, long n, boolean params) {
        return params ? new long[] {mlp.parameterCount()} : new long[] {n, mlp.inputDim()};
    }

    @Override
    Tensor apply(Jacobians jac, Backend backend, Tensor x, Tensor c, boolean params) {
        return params ? jac.vjpParameters(backend, x, c) : jac.vjp(backend, x, c);
    }
}
