package io.github.tangent4j.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The single-precision Vector API GEMM is the double-precision one after a substitution of names, so the
 * twins cannot drift: a change to one that is not made to the other fails here. (EJML generates its F32
 * sources from the F64 ones to the same end; a test keeps our sources plain Java.)
 */
class VectorGemmTwinsTest {
    private static final Path DIR = Path.of("src/main/java/io/github/tangent4j/backend/java");

    /** The substitutions, applied in order, that turn the F64 source into the F32 one. */
    static final Map<String, String> F64_TO_F32 = new LinkedHashMap<>();

    static {
        F64_TO_F32.put("double-precision", "single-precision");
        F64_TO_F32.put("Double", "Float");
        F64_TO_F32.put("double", "float");
        F64_TO_F32.put("DOUBLE", "FLOAT");
        F64_TO_F32.put("VectorGemm64", "VectorGemm32");
    }

    static String toF32(String f64) {
        String s = f64;
        for (Map.Entry<String, String> e : F64_TO_F32.entrySet()) {
            s = s.replace(e.getKey(), e.getValue());
        }
        return s;
    }

    @Test
    void theF32GemmIsTheF64GemmAfterTheSubstitutions() throws IOException {
        String f64 = Files.readString(DIR.resolve("VectorGemm64.java"));
        String f32 = Files.readString(DIR.resolve("VectorGemm32.java"));
        String expected = toF32(f64);
        String[] want = expected.split("\n", -1);
        String[] got = f32.split("\n", -1);
        for (int i = 0; i < Math.min(want.length, got.length); i++) {
            assertEquals(want[i], got[i], "VectorGemm32.java line " + (i + 1)
                    + " differs from VectorGemm64.java after the substitutions " + F64_TO_F32
                    + ": change both twins together");
        }
        assertEquals(want.length, got.length, "VectorGemm32.java and the substituted VectorGemm64.java differ in length");
    }

    @Test
    void theSubstitutionsChangeSomething() throws IOException {
        String f64 = Files.readString(DIR.resolve("VectorGemm64.java"));
        for (String from : F64_TO_F32.keySet()) {
            if (!f64.contains(from)) {
                throw new AssertionError("the substitution of '" + from + "' no longer applies: update the table");
            }
        }
    }
}
