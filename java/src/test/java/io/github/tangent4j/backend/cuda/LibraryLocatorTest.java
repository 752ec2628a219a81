package io.github.tangent4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Library discovery: the configured directory first, then NVIDIA's pip wheels, the toolkits and the driver's
 * directories in a fixed order (checked on a fake directory tree); messages naming the library and every place
 * searched.
 */
class LibraryLocatorTest {

    @Test
    void missingLibraryNamesItAndWhereItLooked(@TempDir Path empty) {
        LibraryLocator locator = new LibraryLocator(List.of(empty), "-Dtangent4j.cuda.libs", false,
                List.of(empty.resolve("std")));
        NativeLibrary lib = NativeLibrary.load(locator, "libcublas", "libcublas.so.13", "libcublas.so.12");
        assertFalse(lib.isAvailable());
        assertNull(lib.location());
        assertNull(lib.downcall("cublasCreate_v2", java.lang.foreign.FunctionDescriptor.ofVoid()));
        assertEquals("libcublas.so.13 / libcublas.so.12 not found (searched -Dtangent4j.cuda.libs=" + empty + ", "
                + empty.resolve("std") + ")", lib.problem());
    }

    @Test
    void aFileThatIsNotALibraryIsReportedAndSkipped(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("libnvrtc.so.12"), "not an ELF file");
        List<String> unloadable = new ArrayList<>();
        LibraryLocator locator = new LibraryLocator(List.of(dir), "TANGENT4J_CUDA_LIBS", false, List.of());
        assertNull(locator.find(new String[] {"libnvrtc.so.13", "libnvrtc.so.12"}, unloadable));
        assertEquals(1, unloadable.size());
        assertTrue(unloadable.get(0).startsWith(dir.resolve("libnvrtc.so.12").toString()), unloadable.get(0));
        NativeLibrary lib = NativeLibrary.load(locator, "libnvrtc", "libnvrtc.so.13", "libnvrtc.so.12");
        assertTrue(lib.problem().contains("present but not loadable: " + dir.resolve("libnvrtc.so.12")), lib.problem());
    }

    @Test
    void theConfiguredDirectoryIsSearchedFirstAndMissingSymbolsAreReported() {
        io.github.tangent4j.backend.TestBackends.requireEmu();
        LibraryLocator locator = new LibraryLocator(List.of(Path.of("/nonexistent"), Emu.dir()), "test", true,
                LibraryLocator.standardDirs());
        NativeLibrary lib = NativeLibrary.load(locator, "libcudart", "libcudart.so.13", "libcudart.so.12");
        assertTrue(lib.isAvailable(), lib.problem());
        assertEquals(Emu.dir().resolve("libcudart.so.13").toString(), lib.location());
        assertNull(lib.downcall("cudaNoSuchFunction", java.lang.foreign.FunctionDescriptor.ofVoid()));
        assertFalse(lib.isAvailable());
        assertTrue(lib.problem().endsWith("lacks the symbol cudaNoSuchFunction"), lib.problem());
    }

    /** A fake machine: toolkits, driver dirs, and NVIDIA wheels in a venv, a conda env, PATH's python3, ~/.local. */
    private static final class FakeMachine {
        final Path root;
        final Path tmp;
        final Map<String, String> env = new HashMap<>();

        FakeMachine(Path tmp) throws IOException {
            this.tmp = tmp;
            root = tmp.resolve("root");
            env.put("VIRTUAL_ENV", tmp.resolve("venv").toString());
            env.put("CONDA_PREFIX", tmp.resolve("conda").toString());
            env.put("HOME", tmp.resolve("home").toString());
            env.put("PATH", String.join(":", tmp.resolve("nopython").toString(), tmp.resolve("pyenv/bin").toString(),
                    tmp.resolve("later/bin").toString()));
            // PATH's first python3 is a venv's link to a base interpreter; a later one is never looked at.
            Files.createDirectories(tmp.resolve("nopython"));
            file(tmp.resolve("base/bin/python3.13"));
            Files.createDirectories(tmp.resolve("pyenv/bin"));
            Files.createSymbolicLink(tmp.resolve("pyenv/bin/python3"), tmp.resolve("base/bin/python3.13"));
            file(tmp.resolve("later/bin/python3"));
            dir("later/lib/python3.13/site-packages/nvidia/cu13/lib");
        }

        Path dir(String relative) throws IOException {
            return Files.createDirectories(tmp.resolve(relative));
        }

        static Path file(Path p) throws IOException {
            Files.createDirectories(p.getParent());
            return Files.writeString(p, "not an ELF file");
        }
    }

    @Test
    void standardDirectoriesOnAFakeMachineInSearchOrder(@TempDir Path tmp) throws IOException {
        FakeMachine m = new FakeMachine(tmp);
        List<Path> expected = List.of(
                m.dir("venv/lib/python3.12/site-packages/nvidia/cu13/lib"),
                m.dir("venv/lib/python3.12/site-packages/nvidia/cublas/lib"),
                m.dir("conda/lib/python3.11/site-packages/nvidia/cuda_nvrtc/lib"),
                m.dir("conda/lib/python3.9/site-packages/nvidia/cuda_runtime/lib"),
                m.dir("pyenv/lib/python3.13/site-packages/nvidia/cu13/lib"),
                m.dir("base/lib/python3.13/site-packages/nvidia/cublas/lib"),
                m.dir("home/.local/lib/python3.12/site-packages/nvidia/cuda_runtime/lib"),
                m.dir("root/usr/local/lib/python3.12/dist-packages/nvidia/cu13/lib"),
                m.dir("root/usr/local/cuda/targets/x86_64-linux/lib"),
                m.dir("root/usr/local/cuda-13.0/targets/x86_64-linux/lib"),
                m.dir("root/usr/local/cuda-13.0/lib64"),
                m.dir("root/usr/local/cuda-12.10/lib64"),
                m.dir("root/usr/local/cuda-12.9/targets/x86_64-linux/lib"),
                m.dir("root/usr/local/nvidia/lib64"),
                m.dir("root/usr/lib/x86_64-linux-gnu"));
        m.dir("venv/lib/python3.12/site-packages/nvidia/cusparse/lib");   // not a library we bind
        FakeMachine.file(m.root.resolve("usr/lib64"));                  // not a directory
        assertEquals(expected, LibraryLocator.standardDirs(m.root, m.env));
    }

    @Test
    void withoutPythonEnvironmentsOnlyTheSystemDirectoriesRemain(@TempDir Path tmp) throws IOException {
        FakeMachine m = new FakeMachine(tmp);
        m.dir("venv/lib/python3.12/site-packages/nvidia/cu13/lib");
        Path toolkit = m.dir("root/usr/local/cuda-13.0/targets/x86_64-linux/lib");
        Map<String, String> bare = Map.of("PATH", "/nonexistent");
        assertEquals(List.of(toolkit), LibraryLocator.standardDirs(m.root, bare));
    }

    @Test
    void findTriesTheConfiguredThenTheStandardDirectoriesInOrder(@TempDir Path tmp) throws IOException {
        FakeMachine m = new FakeMachine(tmp);
        Path configured = FakeMachine.file(m.dir("mine").resolve("libcublas.so.12"));
        Path wheel = FakeMachine.file(m.dir("venv/lib/python3.12/site-packages/nvidia/cu13/lib").resolve("libcublas.so.13"));
        Path conda = FakeMachine.file(m.dir("conda/lib/python3.11/site-packages/nvidia/cublas/lib").resolve("libcublas.so.12"));
        Path toolkit13 = FakeMachine.file(m.dir("root/usr/local/cuda-13.0/targets/x86_64-linux/lib").resolve("libcublas.so.13"));
        Path toolkit12 = FakeMachine.file(m.dir("root/usr/local/cuda-12.9/lib64").resolve("libcublas.so.12"));
        LibraryLocator locator = new LibraryLocator(List.of(m.tmp.resolve("mine")), "TANGENT4J_CUDA_LIBS", false,
                LibraryLocator.standardDirs(m.root, m.env));
        List<String> unloadable = new ArrayList<>();
        assertNull(locator.find(new String[] {"libcublas.so.13", "libcublas.so.12"}, unloadable));
        List<String> tried = unloadable.stream().map(u -> u.substring(0, u.indexOf(" ("))).toList();
        assertEquals(List.of(configured, wheel, conda, toolkit13, toolkit12).stream().map(Path::toString).toList(), tried);
    }

    @Test
    void versionsCompareByTheirNumbers() {
        assertTrue(LibraryLocator.compareVersions("cuda-12.10", "cuda-12.9") > 0);
        assertTrue(LibraryLocator.compareVersions("cuda-13.0", "cuda-12.10") > 0);
        assertTrue(LibraryLocator.compareVersions("python3.9", "python3.12") < 0);
        assertTrue(LibraryLocator.compareVersions("cuda-13", "cuda-13.0") < 0);
        assertEquals(0, LibraryLocator.compareVersions("cuda-13.0", "cuda-13.0"));
        assertTrue(LibraryLocator.compareVersions("cuda-12.9", "cuda-12.9a") < 0);
    }
}
