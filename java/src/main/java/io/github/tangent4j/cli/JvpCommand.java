package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.jacobian.Jacobians;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.Tensor;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tangent4j jvp}: Jacobian-vector products (N, O). */
@Command(name = "jvp", mixinStandardHelpOptions = true,
        description = "Write the JVP (d f/d x)(x_i) t_i, shape (N, O), for tangents T (N, D); with --wrt params, "
                + "(d f/d theta)(x_i) v for one parameter tangent v (P,) in state-dict order.")
final class JvpCommand extends ProductCommand {
    @StandardInput
    @Option(names = "--tangent", required = true, paramLabel = "FILE", description = ".npy tangents, (N, D) or (P,)")
    Path tangent;

    @Override
    Path vector() {
        return tangent;
    }

    @Override
    String vectorOption() {
        return "--tangent";
    }

    @Override
    long[] vectorShape(Mlp mlp, long n, boolean params) {
        return params ? new long[] {mlp.parameterCount()} : new long[] {n, mlp.inputDim()};
    }

    @Override
    long[] outputShape(Mlp mlp, long n, boolean params) {
        return new long[] {n, mlp.outputDim()};
    }

    @Override
    Tensor apply(Jacobians jac, Backend backend, Tensor x, Tensor t, boolean params) {
        return params ? jac.jvpParameters(backend, x, t) : jac.jvp(backend, x, t);
    }
}
