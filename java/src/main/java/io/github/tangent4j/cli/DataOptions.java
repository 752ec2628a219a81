package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.Backends;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Finite;
import io.github.tangent4j.tensor.InsufficientMemoryException;
import io.github.tangent4j.tensor.MappedNpy;
import io.github.tangent4j.tensor.Npy;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The common options of CLI.md that do not involve a model (activation, inputs, output, dtype, backend):
 * the whole option set of the model-free subcommands ({@code kernel}, {@code regress}, {@code robust}),
 * and the base of {@link CommonOptions}, which adds {@code --model}. {@code --x} is optional here because
 * some subcommands take none; the loaders say when it is missing.
 */
class DataOptions {
    @Option(names = "--activation", paramLabel = "NAME", defaultValue = "relu",
            converter = ActivationConverter.class,
            description = "relu|leaky_relu[:SLOPE]|abs|tanh|erf|identity (default: ${DEFAULT-VALUE})")
    Activation activation;

    @StandardInput
    @Option(names = "--x", paramLabel = "FILE", description = "inputs, .npy of shape (N, D)")
    Path x;

    /** Required unless the command is marked {@link OptionalOutput} (checked by {@link FileOptions#check}). */
    @Output
    @Option(names = "--out", paramLabel = "FILE", description = "output .npy file")
    Path out;

    @Option(names = "--dtype", paramLabel = "f64|f32", defaultValue = "f64", converter = DTypeConverter.class,
            description = "dtype of the computation and the output (default: ${DEFAULT-VALUE})")
    DType dtype;

    @Option(names = "--backend", paramLabel = "auto|java|cuda", defaultValue = "auto",
            description = "compute backend (default: ${DEFAULT-VALUE})")
    String backend;

    /**
     * A float array from {@code file} (the value of {@code option}) of rank 2 with {@code width} columns
     * ({@code width < 0}: any), converted to --dtype (checked finite and not to overflow); {@code what} says
     * what the width is. Subcommands that size their outputs from it use {@link #openMatrix} and
     * {@link #checked} instead, with the size checks in between.
     */
    Tensor loadMatrix(Path file, String option, long width, String what) throws IOException {
        return checked(openMatrix(file, option, width, what), option, file);
    }

    /**
     * The array in {@code file} (the value of {@code option}), mapped, with its rank, width and dtype
     * checked as {@link #loadMatrix} does but its values not yet read: pass it to {@link #checked} after
     * the size checks ({@link #checkRoom}), so that a header claiming more rows than fit is refused at once.
     */
    Tensor openMatrix(Path file, String option, long width, String what) throws IOException {
        required(option, file, "an .npy file of shape (N, " + (width >= 0 ? width : "D") + ")");
        Tensor t = readNpy(file);
        if (t.rank() != 2 || (width >= 0 && t.dim(1) != width)) {
            throw new IllegalArgumentException(option + " " + file + ": expected shape (N, " + (width >= 0 ? width : "D")
                    + ")" + (width >= 0 ? " " + what : "") + " but was " + Shapes.format(t.shape()));
        }
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException(option + " " + file + ": expected a float array but was " + t.dtype());
        }
        return t;
    }

    /** {@code t} from {@code file} (the value of {@code option}), checked finite and converted to --dtype. */
    Tensor checked(Tensor t, String option, Path file) {
        return floating(t, option, file);
    }

    /** A float array of any shape from {@code file} (the value of {@code option}), converted to --dtype. */
    Tensor loadArray(Path file, String option) throws IOException {
        return checked(openArray(file, option), option, file);
    }

    /** The array in {@code file} (the value of {@code option}), mapped, not yet checked (see {@link #openMatrix}). */
    Tensor openArray(Path file, String option) throws IOException {
        required(option, file, "an .npy file");
        Tensor t = readNpy(file);
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException(option + " " + file + ": expected a float array but was " + t.dtype());
        }
        return t;
    }

    /**
     * Refuses, before any input is scanned, an --out array of --dtype and {@code shape} that does not fit
     * on its file system, or, when the command holds it in memory ({@code inMemory}), in the memory
     * available (see {@link Room}).
     */
    void checkRoom(long[] shape, boolean inMemory) {
        checkRoom(dtype, shape, inMemory);
    }

    /** {@link #checkRoom(long[], boolean)} for an output of {@code type}. */
    void checkRoom(DType type, long[] shape, boolean inMemory) {
        long bytes = Room.bytes(type, shape);
        String what = Room.output(type, shape);
        Room.checkDisk(out, "--out", bytes, what);
        if (inMemory && !ChunkOptions.isStore(out)) {
            Room.checkMemory(bytes, "--out " + out + ": " + what + ", computed in memory,");
        }
    }

    /**
     * {@code t} (read from {@code file}, the value of {@code option}) converted to --dtype; it must be a
     * float array whose values are finite and stay finite in --dtype.
     */
    Tensor floating(Tensor t, String option, Path file) {
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException(option + " " + file + ": expected a float array but was " + t.dtype());
        }
        checkConvertible(t, dtype, option + " " + file);
        try {
            return t.dtype() == dtype ? t : t.to(dtype);
        } catch (InsufficientMemoryException e) {
            throw e.in(option + " " + file + " (converting to --dtype " + dtype.name().toLowerCase(Locale.ROOT) + ")");
        }
    }

    /**
     * The array in the {@code .npy} {@code file} ({@link Npy#map mapped} read-only when its layout allows,
     * so inputs larger than the free memory work), or on standard input for {@code -}.
     */
    static Tensor readNpy(Path file) throws IOException {
        if (file.toString().equals(FileOptions.STDIN)) {
            return Npy.read(System.in.readAllBytes(), "<standard input>");
        }
        return Npy.map(file);
    }

    /**
     * Checks that the floating-point {@code t} holds only finite values that stay finite in {@code target}.
     *
     * @param what the option, file and key for the message
     * @throws IllegalArgumentException naming {@code what}, the element and its value
     */
    static void checkConvertible(Tensor t, DType target, String what) {
        if (!t.dtype().isFloating()) {
            return;
        }
        long bad = Finite.firstNonFinite(t);
        if (bad >= 0) {
            throw new IllegalArgumentException(what + ": element " + bad + " is " + t.getFlat(bad)
                    + "; expected finite values");
        }
        if (t.dtype() != DType.F64 || target != DType.F32) {
            return;
        }
        for (long i = 0; i < t.size(); i++) {
            double v = t.getFlat(i);
            if (Float.isInfinite((float) v)) {
                throw new IllegalArgumentException(what + ": element " + i + " is " + v + ", which overflows"
                        + " converting to f32 (largest " + Float.MAX_VALUE + "); use --dtype f64 or rescale");
            }
        }
    }

    /** Fails when an option a subcommand needs was not given. */
    static void required(String option, Object value, String expected) {
        if (value == null) {
            throw new IllegalArgumentException(option + ": missing; expected " + expected);
        }
    }

    /** The backend named by --backend ("auto" follows {@link Backends#auto()}). */
    Backend openBackend() {
        Backends.Selection s = select(backend);
        if (backend.equalsIgnoreCase("auto")) {
            BackendLine.report(s, System.err);
        }
        return s.backend();
    }

    /** The backend for a --backend value and why it was chosen ("auto" follows {@link Backends#select()}). */
    static Backends.Selection select(String name) {
        if (name.equalsIgnoreCase("auto")) {
            return Backends.select();
        }
        Backend b;
        try {
            b = Backends.create(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--backend: expected auto, java or cuda but was '" + name + "'", e);
        }
        return new Backends.Selection(b, name + " (forced by --backend)");
    }

    /**
     * Writes {@code t} to --out as {@code .npy}, atomically (see {@link OutputFile}), after checking that
     * it is finite (the overflow policy, {@link Finite#checkResult}) and fits on the file system.
     */
    void write(Tensor t) throws IOException {
        Finite.checkResult("--out " + out + ": the result", t);
        Room.checkDisk(out, "--out", Room.bytes(t.dtype(), t.shape()), Room.output(t.dtype(), t.shape()));
        OutputFile.write(out, "--out", tmp -> Npy.write(tmp, t));
    }

    /** Computes an output array in place (see {@link #write(DType, long[], Fill)}). */
    @FunctionalInterface
    interface Fill {
        /** Fills every element of {@code out}. */
        void into(Tensor out) throws IOException;
    }

    /**
     * Writes an array of {@code dtype} and {@code shape} to --out as {@code .npy}, atomically, computed by
     * {@code fill} straight into the memory-mapped temporary file ({@link Npy#create}): the output is
     * never held in memory, so it may be larger than the RAM. The file system is checked first to have
     * room for it.
     *
     * @throws IOException naming --out and the file when it cannot be written or there is no room
     */
    void write(DType type, long[] shape, Fill fill) throws IOException {
        OutputFile.write(out, "--out", tmp -> {
            long bytes = Shapes.byteSize(type, shape);
            long free = java.nio.file.Files.getFileStore(tmp).getUsableSpace();
            if (bytes > free) {
                // A mapped file that cannot grow on disk would end in SIGBUS, so refuse it up front.
                throw new java.nio.file.FileSystemException(tmp.toString(), null, "the output needs " + bytes
                        + " bytes but the file system has " + free + " free");
            }
            try (MappedNpy mapped = Npy.create(tmp, type, shape)) {
                fill.into(mapped.tensor());
                // the overflow policy: checked before the file is renamed into place
                Finite.checkResult("--out " + out + ": the result", mapped.tensor());
                mapped.force();
            } catch (InternalError e) {
                // A page of the mapping could not be written: the disk filled up (despite the check above,
                // another program wrote to it) or the file was truncated under the mapping.
                throw new IOException("the memory-mapped temporary file " + tmp + " could not be written (the disk"
                        + " is full, or another program truncated the file)", e);
            }
        });
    }

    /** Parses --activation. */
    static final class ActivationConverter implements picocli.CommandLine.ITypeConverter<Activation> {
        @Override
        public Activation convert(String value) {
            try {
                return Activation.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Parses --dtype: f64 or f32 only. */
    static final class DTypeConverter implements picocli.CommandLine.ITypeConverter<DType> {
        @Override
        public DType convert(String value) {
            return switch (value) {
                case "f64" -> DType.F64;
                case "f32" -> DType.F32;
                default -> throw new picocli.CommandLine.TypeConversionException("expected f64 or f32 but was '"
                        + value + "'");
            };
        }
    }
}
