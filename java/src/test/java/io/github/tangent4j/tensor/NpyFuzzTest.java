package io.github.tangent4j.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes {@link Npy#read(byte[], String)}: on any input it must either return a tensor of at most the input's size, or throw a
 * {@link TensorFormatException} naming the file; any other exception, an OutOfMemoryError or a hang is a
 * finding. Without {@code JAZZER_FUZZ} this replays the seeds in
 * {@code src/test/resources/io/github/tangent4j/tensor/NpyFuzzTestInputs/fuzz/} (valid files and past
 * findings); {@code mvn -Pfuzz -pl java test} fuzzes.
 */
class NpyFuzzTest {
    private static final String NAME = "fuzz.npy";

    @DictionaryEntries({"NUMPY", "'descr': ", "'fortran_order': ", "'shape': ", "True", "False", "'<f8'",
            "'>f4'", "'|b1'", "'<i8'", "(0,)", "()", ", }", "L,"})
    @FuzzTest(maxDuration = "60s")
    void fuzz(byte[] data) {
        try {
            long bytes = Npy.read(data, NAME).byteSize();
            assertTrue(bytes <= data.length, bytes + " bytes of tensors from " + data.length + " input bytes");
        } catch (TensorFormatException e) {
            assertTrue(e.getMessage().startsWith(NAME + ": "), e.getMessage());
        }
    }
}
