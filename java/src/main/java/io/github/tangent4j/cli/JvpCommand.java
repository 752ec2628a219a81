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

/** {@code tangent4j jvp}: Jacobian-vector products (N, O). */
@Command(name = "jvp", mixinStandardHelpOptions = true,
        description = "Write the JVP (d f/d x)(x_i) t_i, shape (N, O), for tangents T (N, D); with --wrt params, "
                + "(d f/d theta)(x_i) v for one parameter tangent v (P,) in state-dict order.")
final class JvpCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--tangent", required = true, paramLabel = "FILE", description = ".npy tangents, (N, D) or (P,)")
    Path tangent;

    @Option(names = "--wrt", paramLabel = "input|params", defaultValue = "input",
            description = "tangent in input or parameter space (default: ${DEFAULT-VALUE})")
    JacobianCommand.Wrt wrt;

    @Override
    public Integer call() throws Exception {
        Mlp mlp = common.loadModel();
        Tensor x = common.loadInputs(common.x, "--x", mlp);
        Tensor t = common.loadArray(tangent, "--tangent");
        try (Backend backend = common.openBackend()) {
            Jacobians jac = Jacobians.of(mlp);
            common.write(wrt == JacobianCommand.Wrt.params ? jac.jvpParameters(backend, x, t) : jac.jvp(backend, x, t));
        }
        return 0;
    }
}
