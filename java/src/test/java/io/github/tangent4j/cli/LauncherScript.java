package io.github.tangent4j.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** The {@code tangent4j} launcher script, run on this build's classes (for forked tests). */
final class LauncherScript {
    private LauncherScript() {
    }

    /** The script; skips the test where it or bash is missing. */
    static Path script() {
        Path script = Path.of(System.getProperty("user.dir")).getParent().resolve("tangent4j");
        assumeTrue(Files.isExecutable(script) && Files.isExecutable(Path.of("/bin/bash")), "no launcher or bash");
        return script;
    }

    /**
     * The environment that makes the script run this JVM's class path: {@code TANGENT4J_JAR} pointing at a
     * jar of nothing but a manifest (Main-Class and the class path), written into {@code dir}.
     */
    static Map<String, String> environment(Path dir) throws IOException {
        Manifest manifest = new Manifest();
        Attributes attrs = manifest.getMainAttributes();
        attrs.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        attrs.put(Attributes.Name.MAIN_CLASS, Main.class.getName());
        attrs.put(Attributes.Name.CLASS_PATH, String.join(" ", Arrays.stream(
                System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(e -> Path.of(e).toAbsolutePath().toUri().toString()).toList()));
        Path jar = dir.resolve("cli.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.flush();
        }
        return Map.of("TANGENT4J_JAR", jar.toString());
    }
}
