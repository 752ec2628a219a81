package io.github.tangent4j.cli;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.symmetry.Compression;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tangent4j compress}: a smaller network computing the same function. */
@Command(name = "compress", mixinStandardHelpOptions = true,
        description = "Write to --out (.npz or .safetensors) a smaller network computing the same function: units"
                + " without outgoing weights removed, units without incoming weights folded into the next bias,"
                + " relu units off for every input removed, positively collinear units merged; print"
                + " 'units W1,W2,... -> W1',W2',...'. --on-data X.npy also removes relu units never active on X"
                + " (the same function on X only). relu, leaky_relu, abs or identity only.")
final class CompressCommand extends NetworkCommand {
    @Option(names = "--on-data", paramLabel = "FILE",
            description = "inputs (.npy, (N, D)): also remove relu units never active on them")
    Path onData;

    @Override
    public Integer call() throws Exception {
        checkNetworkOut();
        if (onData != null && common.activation.kind() != Activation.Kind.RELU) {
            throw new IllegalArgumentException("--on-data: expected --activation relu (only relu units output 0 where"
                    + " they are inactive) but was " + common.activation);
        }
        Mlp mlp = common.loadModel();
        Compression compression = Compression.of(mlp);
        if (onData != null) {
            compression = compression.withData(common.loadInputs(onData, "--on-data", mlp));
        }
        try (Backend backend = common.openBackend()) {
            Compression.Result r = compression.compute(backend);
            writeNetwork(r.network());
            SymmetryNotes.compression(spec, r);
            out().println("units " + hidden(r.widthsBefore()) + " -> " + hidden(r.widthsAfter()));
            if (r.exactOnDataOnly()) {
                out().println("the same function on --on-data " + onData + " only: "
                        + r.neverActiveOnData() + " units never active there were removed");
            }
        }
        return 0;
    }

    /** The hidden widths joined by commas, or {@code none}. */
    private static String hidden(long[] widths) {
        if (widths.length <= 2) {
            return "none";
        }
        return Arrays.stream(widths, 1, widths.length - 1).mapToObj(Long::toString).collect(Collectors.joining(","));
    }
}
