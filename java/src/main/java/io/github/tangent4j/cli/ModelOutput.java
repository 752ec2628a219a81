package io.github.tangent4j.cli;

import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.StateDict;
import io.github.tangent4j.tensor.Npz;
import io.github.tangent4j.tensor.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes a network as a PyTorch {@code nn.Sequential} state dict ({@code 0.weight}, {@code 0.bias},
 * {@code 2.weight}, ...) to a {@code .npz} or {@code .safetensors} file chosen by the extension, atomically
 * through {@link OutputFile}.
 */
final class ModelOutput {
    private ModelOutput() {
    }

    /**
     * Checks that {@code file} (the value of {@code option}) names a state-dict format, before anything is
     * computed.
     *
     * @throws IllegalArgumentException naming the option and the file otherwise
     */
    static void checkExtension(Path file, String option) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".npz") && !name.endsWith(".safetensors")) {
            throw new IllegalArgumentException(option + " " + file + ": expected a .npz or .safetensors file name");
        }
    }

    /** Writes {@code mlp}'s state dict to {@code file} (the value of {@code option}). */
    static void write(Path file, String option, Mlp mlp) throws IOException {
        checkExtension(file, option);
        boolean npz = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npz");
        OutputFile.write(file, option, tmp -> {
            if (npz) {
                Npz.write(tmp, StateDict.fromMlp(mlp));
            } else {
                SafeTensors.write(tmp, StateDict.fromMlp(mlp));
            }
        });
    }
}
