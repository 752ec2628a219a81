package io.github.tangent4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a user without a GPU sees, in a fresh JVM that does not know the emulation's directory
 * (libraries stay loaded for the life of a process, so this cannot run in the test JVM): whatever
 * real CUDA libraries this machine has are found, the automatic choice is the Java backend, and
 * the reason names the missing pieces. Also checks that a program using only the Java backend
 * loads no CUDA class beyond the provider.
 */
class ForkedJvmTest {

    private static List<String> run(String mode, String... jvmArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.addAll(List.of(jvmArgs));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ForkedMain.class.getName());
        cmd.add(mode);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove(LibraryLocator.ENV);
        pb.environment().remove("TANGENT4J_BACKEND");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        return text.lines().toList();
    }

    private static String value(List<String> lines, String key) {
        return lines.stream().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1))
                .findFirst().orElseThrow(() -> new AssertionError("no " + key + " in " + lines));
    }

    @Test
    void withoutAGpuAutoChoosesJavaAndSaysWhy() throws Exception {
        List<String> out = run("select");
        assumeTrue(!value(out, "backend").equals("cuda"), "this machine has a working GPU");
        assertEquals("java", value(out, "backend"));
        String reason = value(out, "reason");
        assertTrue(reason.startsWith("java (cuda unavailable: "), reason);
        String cudart = value(out, "cudart");
        if (cudart.equals("null")) {
            assertTrue(reason.matches(".*libcudart\\.so\\.13 / libcudart\\.so\\.12.* not found \\(searched .*"), reason);
        } else {
            // a real libcudart loaded (here: /usr/local/cuda, no driver): the device count explains it
            assertTrue(reason.contains("cudaGetDeviceCount"), reason);
            assertTrue(!cudart.startsWith(String.valueOf(Emu.dir())), "the emulation was not used: " + cudart);
        }
        if (value(out, "cublas").equals("null")) {
            // the install directories that exist here follow (LibraryLocatorTest checks their order)
            assertTrue(reason.matches(".*libcublas\\.so\\.13 / libcublas\\.so\\.12 not found \\(searched the system "
                    + "library path[,)].*"), reason);
        }
    }

    @Test
    void theJavaBackendAloneLoadsNoCudaClassButTheProvider() throws Exception {
        List<String> out = run("java", "-Xlog:class+load=info:stdout");
        assertEquals("java", value(out, "backend"));
        List<String> cuda = out.stream().filter(l -> l.contains(" io.github.tangent4j.backend.cuda."))
                .map(l -> l.replaceAll(".* (io\\.github\\.tangent4j\\.backend\\.cuda\\.\\S+).*", "$1")).toList();
        assertEquals(List.of("io.github.tangent4j.backend.cuda.CudaBackendProvider",
                "io.github.tangent4j.backend.cuda.ForkedMain").stream().sorted().toList(), cuda.stream().sorted().toList());
    }
}
