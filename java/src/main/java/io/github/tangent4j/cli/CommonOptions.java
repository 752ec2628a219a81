package io.github.tangent4j.cli;

import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.StateDict;
import io.github.tangent4j.tensor.InsufficientMemoryException;
import io.github.tangent4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options shared by the computing subcommands (see CLI.md): {@code --model} and the model-free
 * {@link DataOptions}. {@code --model} is checked by {@link #loadModel} (a few subcommands take none).
 */
final class CommonOptions extends DataOptions {
    @Option(names = "--model", paramLabel = "FILE",
            description = "PyTorch nn.Sequential state dict of Linear layers (.npz or .safetensors)")
    Path model;

    /** The network from --model with --activation, converted to --dtype (checked not to overflow). */
    Mlp loadModel() throws IOException {
        required("--model", model, "a state dict (.npz or .safetensors)");
        Map<String, Tensor> tensors = StateDict.read(model);
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            checkConvertible(e.getValue(), dtype, "--model " + model + ": key '" + e.getKey() + "'");
        }
        Mlp mlp = StateDict.toMlp(tensors, activation, model.toString());
        try {
            return mlp.to(dtype);
        } catch (InsufficientMemoryException e) {
            throw e.in("--model " + model + " (converting to --dtype " + dtype.name().toLowerCase(Locale.ROOT) + ")");
        }
    }

    /**
     * The (N, D) inputs from {@code file} (the value of {@code option}; {@code -} reads standard input),
     * converted to --dtype, checked against the network and to be finite.
     */
    Tensor loadInputs(Path file, String option, Mlp mlp) throws IOException {
        return checked(openInputs(file, option, mlp), option, file);
    }

    /** The inputs as {@link #loadInputs} reads them, not yet scanned nor converted (see {@link #openMatrix}). */
    Tensor openInputs(Path file, String option, Mlp mlp) throws IOException {
        return openMatrix(file, option, mlp.inputDim(), "for the model's input width");
    }
}
