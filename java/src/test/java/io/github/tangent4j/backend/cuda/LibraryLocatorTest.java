package io.github.tangent4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Library discovery: the configured directory first, messages naming the library and every place searched. */
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
        assumeTrue(Emu.available(), Emu::whyNot);
        LibraryLocator locator = new LibraryLocator(List.of(Path.of("/nonexistent"), Emu.dir()), "test", true,
                LibraryLocator.standardDirs());
        NativeLibrary lib = NativeLibrary.load(locator, "libcudart", "libcudart.so.13", "libcudart.so.12");
        assertTrue(lib.isAvailable(), lib.problem());
        assertEquals(Emu.dir().resolve("libcudart.so.13").toString(), lib.location());
        assertNull(lib.downcall("cudaNoSuchFunction", java.lang.foreign.FunctionDescriptor.ofVoid()));
        assertFalse(lib.isAvailable());
        assertTrue(lib.problem().endsWith("lacks the symbol cudaNoSuchFunction"), lib.problem());
    }

    @Test
    void standardDirectoriesPreferNewerToolkits() {
        List<Path> dirs = LibraryLocator.standardDirs();
        assertEquals(Path.of("/usr/local/cuda/lib64"), dirs.get(0));
        assertTrue(dirs.contains(Path.of("/usr/lib/x86_64-linux-gnu")));
        int last13 = -1;
        int first12 = Integer.MAX_VALUE;
        for (int i = 0; i < dirs.size(); i++) {
            String d = dirs.get(i).toString();
            if (d.startsWith("/usr/local/cuda-13")) {
                last13 = i;
            }
            if (d.startsWith("/usr/local/cuda-12")) {
                first12 = Math.min(first12, i);
            }
        }
        assertTrue(last13 < first12, dirs.toString());
    }
}
