package io.github.tangent4j.chunked;

/** Holds the {@link ChunkRunner} installed in this JVM. */
final class InstalledRunner {
    static volatile ChunkRunner runner = ChunkRunner.LOCAL;

    private InstalledRunner() {
    }
}
