package io.github.tangent4j.tensor;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * NumPy's {@code .npy} format: read versions 1.0, 2.0 and 3.0, dtypes {@code <f4 <f8 >f4 >f8 <i4 <i8
 * >i4 >i8 |b1 |u1}, C and Fortran order (Fortran data is returned in C order, big-endian data as
 * little endian); write version 1.0 (2.0 for very long headers), C order, little endian, the header
 * padded so the data starts at a multiple of 64 bytes, as {@code numpy.save} does.
 *
 * <p>Format: <a href="https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html">numpy.lib.format</a>.
 */
public final class Npy {
    private Npy() {
    }

    /**
     * Reads an array.
     *
     * @throws TensorFormatException naming the file and byte offset if the file is truncated, corrupt,
     *                               unsupported, or holds bytes after the array
     * @throws IOException           if the file cannot be read
     */
    public static Tensor read(Path file) throws IOException {
        NpyCodec.Origin origin = new NpyCodec.Origin(file.toString(), null);
        long size = Files.size(file);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            NpyCodec.Reader reader = new NpyCodec.Reader(in, origin);
            Tensor t = NpyCodec.read(reader, size);
            if (!reader.atEnd()) {
                throw origin.error(reader.position, "unexpected bytes after the array data ("
                        + (size - reader.position) + " bytes of trailing data)");
            }
            return t;
        }
    }

    /** Writes {@code t} to {@code file}, replacing it. */
    public static void write(Path file, Tensor t) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            NpyCodec.write(out, t);
        }
    }
}
