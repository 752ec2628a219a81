package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;

/**
 * The scaffolding shared by the subcommands that apply the network from --model to the inputs --x and
 * write one array to --out ({@code forward}, {@code jacobian}, {@code patterns}, {@code jvp}, {@code vjp}):
 * check the options, load the model, open --x (and any further input), refuse an output that does not fit
 * ({@link Room}) before any input is scanned, scan and convert the inputs, open the backend, compute and
 * write.
 */
abstract class ModelCommand extends NetworkCommand {
    /** Checks the subcommand's own options before any file is read (default: nothing to check). */
    void checkOptions() {
    }

    /**
     * Opens (without scanning) any further input the subcommand reads, once the model is loaded and --x
     * opened ({@code rawX}, not yet scanned).
     */
    void openMore(Mlp mlp, Tensor rawX) throws Exception {
    }

    /** Scans and converts the further inputs of {@link #openMore}, after the size checks (default: none). */
    void checkMore() {
    }

    /** The shape of the output for {@code n} input rows. */
    abstract long[] outputShape(Mlp mlp, long n);

    /** The dtype of the output (default: the network's). */
    DType outputType(Mlp mlp) {
        return mlp.dtype();
    }

    /**
     * Whether the output is held in memory (the default, true) or streamed into the output file tile by tile
     * (false).
     */
    boolean outputInMemory() {
        return true;
    }

    /**
     * Writes the output as a chunked Zarr store when --out names one, and answers whether it did; the
     * default answers false (the subcommand has no chunked form).
     */
    boolean writeStore(Mlp mlp, Tensor x) throws Exception {
        return false;
    }

    /** Computes and writes the output for the checked inputs {@code x}. */
    abstract void compute(Mlp mlp, Tensor x, Backend backend) throws Exception;

    @Override
    public final Integer call() throws Exception {
        checkOptions();
        Mlp mlp = common.loadModel();
        Tensor raw = common.openInputs(common.x, "--x", mlp);
        openMore(mlp, raw);
        common.checkRoom(outputType(mlp), outputShape(mlp, raw.dim(0)), outputInMemory());
        Tensor x = common.checked(raw, "--x", common.x);
        checkMore();
        if (writeStore(mlp, x)) {
            return 0;
        }
        try (Backend backend = common.openBackend()) {
            compute(mlp, x, backend);
        }
        return 0;
    }
}
