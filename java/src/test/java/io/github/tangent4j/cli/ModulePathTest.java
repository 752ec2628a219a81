package io.github.tangent4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.Backend;
import java.io.File;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The module descriptor: it exports the user-facing packages only (no backend implementation, no internal
 * helper, no CLI), provides both backends as services, and the module runs from the module path (its
 * backends found through {@code provides ... with}).
 */
class ModulePathTest {
    /** The compiled module: the main classes directory (an exploded module) on the test class path. */
    private static Path moduleDir() {
        Path here = Path.of(Backend.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        assertTrue(Files.exists(here.resolve("module-info.class")), "module-info.class in " + here);
        return here;
    }

    @Test
    void exportsTheUserFacingPackagesOnly() {
        ModuleDescriptor d = ModuleFinder.of(moduleDir()).find("io.github.tangent4j").orElseThrow().descriptor();
        Set<String> exported = d.exports().stream().map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toCollection(TreeSet::new));
        String p = "io.github.tangent4j.";
        assertEquals(new TreeSet<>(List.of(p + "backend", p + "chunked", p + "convex", p + "jacobian", p + "kernels",
                p + "linalg", p + "nn", p + "patterns", p + "symmetry", p + "tensor", p + "training")), exported);
        assertTrue(d.exports().stream().noneMatch(ModuleDescriptor.Exports::isQualified));
        assertEquals(Set.of(p + "backend.java.JavaBackendProvider", p + "backend.cuda.CudaBackendProvider"),
                Set.copyOf(d.provides().stream().filter(s -> s.service().equals(p + "backend.BackendProvider"))
                        .findFirst().orElseThrow().providers()));
    }

    @Test
    void runsFromTheModulePath() throws Exception {
        List<String> path = new ArrayList<>();
        path.add(moduleDir().toString());
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(e).getFileName().toString();
            if (e.endsWith(".jar") && (name.startsWith("commons-numbers") || name.startsWith("ejml")
                    || name.startsWith("picocli") || name.startsWith("progressbar") || name.startsWith("jline"))) {
                path.add(e);
            }
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=io.github.tangent4j", "--add-modules", "jdk.incubator.vector,info.picocli,"
                        + "me.tongfei.progressbar", "--module-path", String.join(File.pathSeparator, path),
                "-Dtangent4j.backend=java", "-m", "io.github.tangent4j/io.github.tangent4j.cli.Main", "info"));
        ForkedCliTest.Run r = ForkedCliTest.run(cmd);
        assertEquals(0, r.code(), r.err());
        // both providers found through provides ... with
        assertTrue(r.out().contains("backend java: available") && r.out().contains("backend cuda:"), r.out());
    }
}
