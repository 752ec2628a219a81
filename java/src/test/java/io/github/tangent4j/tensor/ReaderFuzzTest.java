package io.github.tangent4j.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Coverage-guided fuzzing (Jazzer) of the three readers: whatever the bytes, the only exception that
 * escapes is {@link TensorFormatException}, and what a successful read returns is bounded by the input
 * size (deflated {@code .npz} members by deflate's largest expansion). Normal test runs replay the
 * seed files in {@code ReaderFuzzTestInputs/}; {@code mvn -Pfuzz -pl java test} fuzzes each reader for
 * a bounded time.
 */
class ReaderFuzzTest {
    private static final Path FILE = tempFile();

    private static Path tempFile() {
        try {
            Path dir = Files.createTempDirectory("tangent4j-fuzz");
            dir.toFile().deleteOnExit();
            return dir.resolve("input");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void npy(byte[] data) throws IOException {
        Files.write(FILE, data);
        try {
            Tensor t = Npy.read(FILE);
            assertTrue(t.byteSize() <= data.length);
        } catch (TensorFormatException expected) {
            // The documented failure.
        }
    }

    @FuzzTest(maxDuration = "60s")
    void npz(byte[] data) throws IOException {
        Files.write(FILE, data);
        try {
            long total = 0;
            for (Tensor t : Npz.read(FILE).values()) {
                total += t.byteSize();
            }
            assertTrue(total <= (long) data.length * Npz.MAX_DEFLATE_RATIO + 64);
        } catch (TensorFormatException expected) {
            // The documented failure.
        }
    }

    @FuzzTest(maxDuration = "60s")
    void safetensors(byte[] data) throws IOException {
        Files.write(FILE, data);
        try {
            Map<String, Tensor> m = SafeTensors.read(FILE);
            long total = 0;
            for (Tensor t : m.values()) {
                total += t.byteSize();
            }
            assertTrue(total <= data.length);
        } catch (TensorFormatException expected) {
            // The documented failure.
        }
    }
}
