package io.github.tangent4j.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes {@link Npz#read(byte[], String)}: on any input it must either return tensors of at most 1032 times the input's size in all (the deflate bound), or throw a
 * {@link TensorFormatException} naming the file; any other exception, an OutOfMemoryError or a hang is a
 * finding. Without {@code JAZZER_FUZZ} this replays the seeds in
 * {@code src/test/resources/io/github/tangent4j/tensor/NpzFuzzTestInputs/fuzz/} (valid files and past
 * findings); {@code mvn -Pfuzz -pl java test} fuzzes.
 */
class NpzFuzzTest {
    private static final String NAME = "fuzz.npz";

    @DictionaryEntries({"PK\u0003\u0004", "PK\u0001\u0002", "PK\u0005\u0006", "PK\u0006\u0006", "PK\u0006\u0007",
            "PK\u0007\u0008", ".npy", "\u0001\u0000\u0010\u0000", "NUMPY"})
    @FuzzTest(maxDuration = "60s")
    void fuzz(byte[] data) {
        try {
            long bytes = 0;
            for (Tensor t : Npz.read(data, NAME).values()) {
                bytes += t.byteSize();
            }
            assertTrue(bytes <= data.length * Npz.MAX_DEFLATE_RATIO, bytes + " bytes of tensors from " + data.length + " input bytes");
        } catch (TensorFormatException e) {
            assertTrue(e.getMessage().startsWith(NAME + ": "), e.getMessage());
        }
    }
}
