package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.jacobian.Jacobians;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tangent4j vjp}: vector-Jacobian products (N, D), or the parameter gradient (P,). */
@Command(name = "vjp", mixinStandardHelpOptions = true,
        description = "Write the VJP c_i^T (d f/d x)(x_i), shape (N, D), for cotangents C (N, O); with --wrt params, "
                + "sum_i c_i^T (d f/d theta)(x_i), shape (P,).")
final class VjpCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--cotangent", required = true, paramLabel = "FILE", description = ".npy cotangents, (N, O)")
    Path cotangent;

    @Option(names = "--wrt", paramLabel = "input|params", defaultValue = "input",
            description = "gradient with respect to the inputs or the parameters (default: ${DEFAULT-VALUE})")
    JacobianCommand.Wrt wrt;

    @Override
    public Integer call() throws Exception {
        Mlp mlp = common.loadModel();
        Tensor x = common.loadInputs(common.x, "--x", mlp);
        Tensor c = common.loadArray(cotangent, "--cotangent");
        try (Backend backend = common.openBackend()) {
            Jacobians jac = Jacobians.of(mlp);
            common.write(wrt == JacobianCommand.Wrt.params ? jac.vjpParameters(backend, x, c) : jac.vjp(backend, x, c));
        }
        return 0;
    }
}
