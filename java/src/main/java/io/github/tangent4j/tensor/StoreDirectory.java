package io.github.tangent4j.tensor;

import java.io.IOException;
import java.util.List;

/**
 * A flat directory of named files that a {@link ZarrStore} lives in: a local folder
 * ({@link LocalStoreDirectory}) or, in the Spark module, any Hadoop filesystem. Names are plain file
 * names (no separators). Implementations make every {@link #write} whole or absent: the content goes to a
 * temporary name in the same directory and is renamed onto the name, so a reader (or a process killed
 * mid-write) never sees part of a file under its name.
 */
public interface StoreDirectory {

    /** Where the directory is, for messages (a path or URI). */
    String location();

    /** Creates the directory (and its parents) when it does not exist. */
    void create() throws IOException;

    /** The names in the directory, hidden ones included; empty when the directory does not exist. */
    List<String> list() throws IOException;

    /** The size in bytes of the file {@code name}, or -1 when there is none. */
    long size(String name) throws IOException;

    /** The whole content of the file {@code name}. */
    byte[] read(String name) throws IOException;

    /** Writes {@code content} as the file {@code name}, replacing any, whole or not at all (temporary + rename). */
    void write(String name, byte[] content) throws IOException;

    /** Deletes the file {@code name} if it exists. */
    void delete(String name) throws IOException;

    /** True for the names {@link #write} uses while a file is being written (left behind only by a killed writer). */
    static boolean isTemporary(String name) {
        return name.startsWith(".") && name.endsWith(".tmp");
    }

    /** A fresh temporary name for writing {@code name}: hidden, unique, recognised by {@link #isTemporary}. */
    static String temporaryName(String name) {
        return "." + name + "." + Long.toUnsignedString(java.util.concurrent.ThreadLocalRandom.current().nextLong(), 36)
                + ".tmp";
    }
}
