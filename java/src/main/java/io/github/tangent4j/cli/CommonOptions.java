package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Activation;
import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.Backends;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.StateDict;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Npy;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options shared by the computing subcommands (see CLI.md): model, activation, inputs, output, dtype, backend. */
final class CommonOptions {
    @Option(names = "--model", paramLabel = "FILE",
            description = "PyTorch nn.Sequential state dict of Linear layers (.npz or .safetensors)")
    Path model;

    @Option(names = "--activation", paramLabel = "NAME", defaultValue = "relu",
            converter = ActivationConverter.class,
            description = "relu|leaky_relu[:SLOPE]|abs|tanh|erf|identity (default: ${DEFAULT-VALUE})")
    Activation activation;

    @Option(names = "--x", paramLabel = "FILE", description = "inputs, .npy of shape (N, D)")
    Path x;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "output .npy file")
    Path out;

    @Option(names = "--dtype", paramLabel = "f64|f32", defaultValue = "f64", converter = DTypeConverter.class,
            description = "dtype of the computation and the output (default: ${DEFAULT-VALUE})")
    DType dtype;

    @Option(names = "--backend", paramLabel = "auto|java|cuda", defaultValue = "auto",
            description = "compute backend (default: ${DEFAULT-VALUE})")
    String backend;

    /** The network from --model with --activation, converted to --dtype. */
    Mlp loadModel() throws IOException {
        required("--model", model, "a state dict (.npz or .safetensors)");
        return StateDict.load(model, activation).to(dtype);
    }

    /** The (N, D) inputs from {@code file}, converted to --dtype, checked against the network. */
    Tensor loadInputs(Path file, String option, Mlp mlp) throws IOException {
        required(option, file, "an .npy file of shape (N, " + mlp.inputDim() + ")");
        Tensor t = Npy.read(file);
        if (t.rank() != 2 || t.dim(1) != mlp.inputDim()) {
            throw new IllegalArgumentException(option + " " + file + ": expected shape (N, " + mlp.inputDim()
                    + ") for the model's input width but was " + Shapes.format(t.shape()));
        }
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException(option + " " + file + ": expected a float array but was " + t.dtype());
        }
        return t.dtype() == dtype ? t : t.to(dtype);
    }

    /**
     * Fails when an option a subcommand needs was not given (--model and --x are optional here because
     * some subcommands take no model or no --x).
     */
    static void required(String option, Object value, String expected) {
        if (value == null) {
            throw new IllegalArgumentException(option + ": missing; expected " + expected);
        }
    }

    /** The backend named by --backend ("auto" follows {@link Backends#auto()}). */
    Backend openBackend() {
        return select(backend).backend();
    }

    /** The backend for a --backend value and why it was chosen ("auto" follows {@link Backends#select()}). */
    static Backends.Selection select(String name) {
        return name.equalsIgnoreCase("auto") ? Backends.select()
                : new Backends.Selection(Backends.create(name), name + " (forced by --backend)");
    }

    /** Writes {@code t} to --out as {@code .npy}, atomically (see {@link OutputFile}). */
    void write(Tensor t) throws IOException {
        OutputFile.write(out, "--out", tmp -> Npy.write(tmp, t));
    }

    /** Parses --activation. */
    static final class ActivationConverter implements picocli.CommandLine.ITypeConverter<Activation> {
        @Override
        public Activation convert(String value) {
            return Activation.parse(value);
        }
    }

    /** Parses --dtype: f64 or f32 only. */
    static final class DTypeConverter implements picocli.CommandLine.ITypeConverter<DType> {
        @Override
        public DType convert(String value) {
            return switch (value) {
                case "f64" -> DType.F64;
                case "f32" -> DType.F32;
                default -> throw new IllegalArgumentException("expected f64 or f32 but was '" + value + "'");
            };
        }
    }
}
