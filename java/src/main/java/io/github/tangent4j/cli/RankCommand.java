package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.kernels.FunctionalDimension;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.ParameterMask;
import io.github.tangent4j.nn.StateDict;
import io.github.tangent4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tangent4j rank}: the local functional dimension, the rank of the stacked parameter Jacobian. */
@OptionalOutput
@Command(name = "rank", mixinStandardHelpOptions = true,
        description = "Print 'rank R', the rank of the parameter Jacobian stacked over x (N*O x P), computed in f64; "
                + "--out writes its singular values, descending; --mask restricts it to the trainable parameters.")
final class RankCommand extends NetworkCommand {
    @Option(names = "--mask", paramLabel = "FILE",
            description = ".npz/.safetensors with the model's keys and shapes, booleans or 0/1 (1 = trainable)")
    Path mask;

    @Option(names = "--method", paramLabel = "svd|gram", defaultValue = "svd",
            description = "singular values by SVD of J, or by the eigenvalues of J J^T (coarser tolerance) "
                    + "(default: ${DEFAULT-VALUE})")
    String method;

    @Option(names = "--tolerance", paramLabel = "T",
            description = "count singular values above T (default: the method's, see the javadoc)")
    Double tolerance;

    @Override
    public Integer call() throws Exception {
        FunctionalDimension.Method m = WordOption.parse("--method", method,
                Map.entry("svd", FunctionalDimension.Method.SVD), Map.entry("gram", FunctionalDimension.Method.GRAM));
        Mlp mlp = common.loadModel();
        Tensor raw = common.openInputs(common.x, "--x", mlp);
        // the stacked parameter Jacobian (N*O, P) is formed in f64
        Room.checkMemory(Room.bytes(io.github.tangent4j.tensor.DType.F64, Room.times(raw.dim(0), mlp.outputDim()),
                mlp.parameterCount()), "the stacked parameter Jacobian of --x");
        common.checkRoom(new long[] {Math.min(Room.times(raw.dim(0), mlp.outputDim()), mlp.parameterCount())}, false);
        Tensor x = common.checked(raw, "--x", common.x);
        FunctionalDimension fd = FunctionalDimension.of(mlp).withMethod(m);
        if (mask != null) {
            java.util.Map<String, Tensor> tensors;
            try {
                tensors = StateDict.read(mask);
            } catch (java.io.IOException | IllegalArgumentException e) {
                // named here: the same file may also be given to another option (--x x.npy --mask x.npy)
                throw new IllegalArgumentException("--mask " + Errors.oneLine(e, java.util.Map.of()), e);
            }
            fd = fd.withMask(ParameterMask.of(mlp, tensors, "--mask " + mask));
        }
        if (tolerance != null) {
            fd = fd.withTolerance(tolerance);
        }
        try (Backend backend = common.openBackend()) {
            FunctionalDimension.Result r = fd.compute(backend, x);
            if (common.out != null) {
                common.write(Tensor.of(r.singularValues(), r.singularValues().length));
            }
            out().println("rank " + r.rank());
        }
        return 0;
    }
}
