package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.chunked.ChunkInputs;
import io.github.tangent4j.chunked.EmpiricalNtkChunks;
import io.github.tangent4j.kernels.EmpiricalNtk;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tangent4j ntk}: the empirical NTK between --x and --x2. */
@Command(name = "ntk", mixinStandardHelpOptions = true,
        description = "Write the empirical NTK between x and x2: (N, N2, O, O); --trace: (N, N2); --diagonal: "
                + "(N, O, O); --per-layer: a leading layer axis.")
final class NtkCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    ChunkOptions chunks;

    @StandardInput
    @Option(names = "--x2", paramLabel = "FILE", description = "second input set, .npy (N2, D) (default: x)")
    Path x2;

    @Option(names = "--trace", description = "the trace over outputs, (N, N2)")
    boolean trace;

    @Option(names = "--diagonal", description = "only Theta(x_i, x_i), (N, O, O)")
    boolean diagonal;

    @Option(names = "--per-layer", description = "one kernel per layer: a leading axis of length L+1")
    boolean perLayer;

    @Option(names = "--method", paramLabel = "structured|materialised", defaultValue = "structured",
            description = "structured derivatives, or the materialised parameter Jacobian (reference) "
                    + "(default: ${DEFAULT-VALUE})")
    String method;

    @Override
    public Integer call() throws Exception {
        if (trace && diagonal) {
            throw new IllegalArgumentException("--trace, --diagonal: choose at most one");
        }
        if (diagonal && x2 != null) {
            throw new IllegalArgumentException("--x2: the diagonal kernel takes one input set (--x)");
        }
        EmpiricalNtk.Method m = switch (method) {
            case "structured" -> EmpiricalNtk.Method.STRUCTURED;
            case "materialised", "materialized" -> EmpiricalNtk.Method.MATERIALISED;
            default -> throw new IllegalArgumentException("--method: expected structured or materialised but was '"
                    + method + "'");
        };
        EmpiricalNtk.Kind kind = trace ? EmpiricalNtk.Kind.TRACE
                : diagonal ? EmpiricalNtk.Kind.DIAGONAL : EmpiricalNtk.Kind.FULL;
        Mlp mlp = common.loadModel();
        if (mlp.outputDim() == 0) {
            throw new IllegalArgumentException("--model " + common.model + ": the network has 0 outputs (its last"
                    + " layer has width 0); expected at least 1 output for the NTK");
        }
        Tensor rawX = common.openInputs(common.x, "--x", mlp);
        Tensor rawRight = x2 == null ? null : common.openInputs(x2, "--x2", mlp);
        EmpiricalNtk sized = EmpiricalNtk.of(mlp).withMethod(m).withPerLayer(perLayer);
        long[] shape = sized.shape(kind, rawX.dim(0), rawRight == null ? rawX.dim(0) : rawRight.dim(0));
        common.checkRoom(shape, false);
        Tensor x = common.checked(rawX, "--x", common.x);
        Tensor right = x2 == null ? null : common.checked(rawRight, "--x2", x2);
        if (perLayer && ChunkOptions.isStore(common.out)) {
            throw new IllegalArgumentException("--per-layer: not with a .zarr store (its leading axis is the layer);"
                    + " expected an .npy --out");
        }
        if (chunks.writeStore(common, new EmpiricalNtkChunks(kind, m), new ChunkInputs(mlp, x, right))) {
            return 0;
        }
        try (Backend backend = common.openBackend(); ProgressBars bar = ProgressBars.open("ntk")) {
            EmpiricalNtk ntk = sized.withProgress(bar.listener());
            // Streamed tile by tile into the memory-mapped output: it may be larger than the RAM.
            common.write(mlp.dtype(), shape, out -> ntk.computeInto(backend, kind, x, right, out));
        }
        return 0;
    }
}
