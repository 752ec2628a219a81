package io.github.tangent4j.cli;

import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.StateDict;
import io.github.tangent4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options shared by the computing subcommands (see CLI.md): {@code --model} and the model-free {@link DataOptions}. */
final class CommonOptions extends DataOptions {
    @Option(names = "--model", required = true, paramLabel = "FILE",
            description = "PyTorch nn.Sequential state dict of Linear layers (.npz or .safetensors)")
    Path model;

    /** The network from --model with --activation, converted to --dtype. */
    Mlp loadModel() throws IOException {
        return StateDict.load(model, activation).to(dtype);
    }

    /** The (N, D) inputs from {@code file}, converted to --dtype, checked against the network. */
    Tensor loadInputs(Path file, String option, Mlp mlp) throws IOException {
        return loadMatrix(file, option, mlp.inputDim(), "for the model's input width");
    }
}
