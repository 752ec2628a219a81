package io.github.tangent4j.cli;

import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.Tensor;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The scaffolding of the subcommands that read the network of --model with the common options
 * ({@code balance}, {@code canonical}, {@code compress}, {@code fit}, {@code pathnorm}, {@code rank},
 * {@code rnorm}, {@code slice}, {@code regions}, {@code arrangements}): the options, the command's standard
 * output, and the two outputs several of them write (a network as a state dict, one value per output).
 * {@link ModelCommand} adds the apply-to---x steps for the subcommands that write one array per input row.
 */
abstract class NetworkCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    /** The command's standard output (where its one-line results are printed). */
    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Refuses an --out that cannot hold a network (not .npz or .safetensors), before any file is read. */
    void checkNetworkOut() {
        ModelOutput.checkExtension(common.out, "--out");
    }

    /** Writes {@code network} to --out as a state dict ({@link ModelOutput}). */
    void writeNetwork(Mlp network) throws Exception {
        ModelOutput.write(common.out, "--out", network);
    }

    /** Writes {@code values}, one per output of {@code mlp}, to --out as an (O,) array of the network's dtype. */
    void writePerOutput(Mlp mlp, double[] values) throws Exception {
        Tensor per = Tensor.allocate(mlp.dtype(), values.length);
        for (int o = 0; o < values.length; o++) {
            per.setFlat(o, values[o]);
        }
        common.write(per);
    }
}
