package io.github.tangent4j.tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A {@link StoreDirectory} that is a folder of the local (POSIX) filesystem. A file is written to a new
 * hidden temporary file in the same folder, created with the permissions any new file gets (the umask
 * applies: not the 0600 of {@link Files#createTempFile}), flushed to the device, and renamed atomically
 * onto its name.
 *
 * @param path the folder
 */
public record LocalStoreDirectory(Path path) implements StoreDirectory {
    /** The folder {@code path} (it need not exist yet). */
    public LocalStoreDirectory {
        Objects.requireNonNull(path, "path");
    }

    @Override
    public String location() {
        return path.toString();
    }

    @Override
    public void create() throws IOException {
        Files.createDirectories(path);
    }

    @Override
    public List<String> list() throws IOException {
        if (!Files.isDirectory(path)) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(path)) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        return names;
    }

    @Override
    public long size(String name) throws IOException {
        try {
            return Files.size(path.resolve(name));
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    @Override
    public byte[] read(String name) throws IOException {
        return Files.readAllBytes(path.resolve(name));
    }

    @Override
    public void write(String name, byte[] content) throws IOException {
        Path tmp = null;
        for (int attempt = 0; tmp == null; attempt++) {
            try {
                tmp = Files.createFile(path.resolve(StoreDirectory.temporaryName(name)));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt == 100) {
                    throw e;
                }
            }
        }
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, path.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    @Override
    public void delete(String name) throws IOException {
        Files.deleteIfExists(path.resolve(name));
    }
}
