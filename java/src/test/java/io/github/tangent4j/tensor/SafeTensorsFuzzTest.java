package io.github.tangent4j.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes {@link SafeTensors#read(byte[], String)}: on any input it must either return tensors of at most the input's size in all, or throw a
 * {@link TensorFormatException} naming the file; any other exception, an OutOfMemoryError or a hang is a
 * finding. Without {@code JAZZER_FUZZ} this replays the seeds in
 * {@code src/test/resources/io/github/tangent4j/tensor/SafeTensorsFuzzTestInputs/fuzz/} (valid files and past
 * findings); {@code mvn -Pfuzz -pl java test} fuzzes.
 */
class SafeTensorsFuzzTest {
    private static final String NAME = "fuzz.safetensors";

    @DictionaryEntries({"\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"__metadata__\"", "\"F32\"", "\"BOOL\"",
            "\"I64\"", "\\u", "\\ud83d\\ude00", "null", "[0,", "]}"})
    @FuzzTest(maxDuration = "60s")
    void fuzz(byte[] data) {
        try {
            long bytes = 0;
            for (Tensor t : SafeTensors.read(data, NAME).values()) {
                bytes += t.byteSize();
            }
            assertTrue(bytes <= data.length, bytes + " bytes of tensors from " + data.length + " input bytes");
        } catch (TensorFormatException e) {
            assertTrue(e.getMessage().startsWith(NAME + ": "), e.getMessage());
        }
    }
}
