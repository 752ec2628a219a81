package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Activation;
import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.Backends;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Npy;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The common options of CLI.md that do not involve a model (activation, inputs, output, dtype, backend):
 * the whole option set of the model-free subcommands ({@code kernel}, {@code regress}, {@code robust}),
 * and the base of {@link CommonOptions}, which adds {@code --model}.
 */
class DataOptions {
    @Option(names = "--activation", paramLabel = "NAME", defaultValue = "relu",
            converter = ActivationConverter.class,
            description = "relu|leaky_relu[:SLOPE]|abs|tanh|erf|identity (default: ${DEFAULT-VALUE})")
    Activation activation;

    @Option(names = "--x", required = true, paramLabel = "FILE", description = "inputs, .npy of shape (N, D)")
    Path x;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "output .npy file")
    Path out;

    @Option(names = "--dtype", paramLabel = "f64|f32", defaultValue = "f64", converter = DTypeConverter.class,
            description = "dtype of the computation and the output (default: ${DEFAULT-VALUE})")
    DType dtype;

    @Option(names = "--backend", paramLabel = "auto|java|cuda", defaultValue = "auto",
            description = "compute backend (default: ${DEFAULT-VALUE})")
    String backend;

    /**
     * A float array from {@code file} (the value of {@code option}) of rank 2 with {@code width} columns
     * ({@code width < 0}: any), converted to --dtype; {@code what} says what the width is.
     */
    Tensor loadMatrix(Path file, String option, long width, String what) throws IOException {
        Tensor t = Npy.read(file);
        if (t.rank() != 2 || (width >= 0 && t.dim(1) != width)) {
            throw new IllegalArgumentException(option + " " + file + ": expected shape (N, " + (width >= 0 ? width : "D")
                    + ")" + (width >= 0 ? " " + what : "") + " but was " + Shapes.format(t.shape()));
        }
        return floating(t, option, file);
    }

    /** {@code t} (read from {@code file}, the value of {@code option}) converted to --dtype; it must be a float array. */
    Tensor floating(Tensor t, String option, Path file) {
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException(option + " " + file + ": expected a float array but was " + t.dtype());
        }
        return t.dtype() == dtype ? t : t.to(dtype);
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
