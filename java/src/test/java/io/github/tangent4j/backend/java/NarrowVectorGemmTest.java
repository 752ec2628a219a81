package io.github.tangent4j.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The GEMM's narrow micro-tile, used where vectors are narrower than 512 bits (AVX2 machines), checked
 * on any x86 machine by running {@link JavaGemmTest}'s checks in a JVM limited to AVX2.
 */
class NarrowVectorGemmTest {
    @Test
    void theNarrowTileIsCorrectWithAvx2Vectors() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-XX:+IgnoreUnrecognizedVMOptions", "-XX:UseAVX=2",
                "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), NarrowVectorGemmCheck.class.getName())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), output);
        assertTrue(output.contains(", 6x"), "the narrow tile ran: " + output);
        assertTrue(output.contains("all checks passed"), output);
    }
}
