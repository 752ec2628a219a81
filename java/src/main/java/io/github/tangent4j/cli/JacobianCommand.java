package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.chunked.ChunkInputs;
import io.github.tangent4j.chunked.RowChunks;
import io.github.tangent4j.jacobian.Jacobians;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.Tensor;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tangent4j jacobian}: the input Jacobian (N, O, D), its squared norms (N,), or the parameter Jacobian (N, O, P). */
@Command(name = "jacobian", mixinStandardHelpOptions = true,
        description = "Write d f/d x (N, O, D), with --norm its squared Frobenius norm per example (N,), "
                + "or d f/d theta (N, O, P) with --wrt params.")
final class JacobianCommand extends ModelCommand {
    @Mixin
    ChunkOptions chunks;

    @Option(names = "--wrt", paramLabel = "input|params", defaultValue = "input",
            description = "differentiate with respect to the inputs or the parameters (default: ${DEFAULT-VALUE})")
    Wrt wrt;

    @Option(names = "--norm", description = "with --wrt input: write ||d f/d x||_F^2 per example, shape (N,)")
    boolean norm;

    @Option(names = "--mode", paramLabel = "auto|reverse|forward", defaultValue = "auto",
            description = "sweep of the input Jacobian: reverse (N*O rows) or forward (N*D rows); auto picks the "
                    + "cheaper (default: ${DEFAULT-VALUE})")
    String mode;

    private Jacobians.Mode sweep;

    @Override
    void checkOptions() {
        if (norm && wrt != Wrt.input) {
            throw new IllegalArgumentException("--norm: only with --wrt input");
        }
        sweep = WordOption.parse("--mode", mode, Map.entry("auto", Jacobians.Mode.AUTO),
                Map.entry("reverse", Jacobians.Mode.REVERSE), Map.entry("forward", Jacobians.Mode.FORWARD));
    }

    @Override
    long[] outputShape(Mlp mlp, long n) {
        return wrt == Wrt.params ? new long[] {n, mlp.outputDim(), mlp.parameterCount()}
                : norm ? new long[] {n} : new long[] {n, mlp.outputDim(), mlp.inputDim()};
    }

    @Override
    boolean writeStore(Mlp mlp, Tensor x) throws Exception {
        RowChunks.Output output = wrt == Wrt.params ? RowChunks.Output.PARAMETER_JACOBIAN
                : norm ? RowChunks.Output.INPUT_NORMS : RowChunks.Output.INPUT_JACOBIAN;
        return chunks.writeStore(common, new RowChunks(output, sweep), new ChunkInputs(mlp, x, null));
    }

    @Override
    boolean outputInMemory() {
        return true;
    }

    @Override
    void compute(Mlp mlp, Tensor x, Backend backend) throws Exception {
        try (ProgressBars bar = ProgressBars.open("jacobian")) {
            Jacobians jac = Jacobians.of(mlp).withMode(sweep).withProgress(bar.listener());
            Tensor result = wrt == Wrt.params ? jac.parameters(backend, x).tensor()
                    : norm ? jac.inputNorms(backend, x).perExample() : jac.input(backend, x);
            common.write(result);
        }
    }

    /** What to differentiate with respect to. */
    enum Wrt {
        input, params
    }
}
