package io.github.tangent4j.tensor;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * NumPy's {@code .npz} format: a zip archive of {@code .npy} members named {@code <key>.npy}, stored
 * ({@code numpy.savez}) or deflated ({@code numpy.savez_compressed}). Reads the ZIP64 extra fields
 * NumPy writes. Each member's claimed array size is checked against what the member can hold (its
 * declared size, and at most 1032 times its compressed size, deflate's largest expansion) before
 * anything is allocated, and its CRC-32 is verified.
 */
public final class Npz {
    /** Deflate expands at most about 1032:1; a member claiming more is forged. */
    static final long MAX_DEFLATE_RATIO = 1032;

    private Npz() {
    }

    /**
     * Reads every member, in archive order, keyed by member name without the {@code .npy} suffix.
     *
     * @throws TensorFormatException naming the file, the member and the byte offset within the member
     *                               for a corrupt or truncated archive or member
     * @throws IOException           if the file cannot be read
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        String name = file.toString();
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(name);
        }
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (IOException | RuntimeException e) {
            // ZipException, or EOFException when the end record points past the end of the file.
            throw new TensorFormatException(name, null, -1, "not a valid zip archive: " + e.getMessage(), e);
        }
        try (zip) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (true) {
                ZipEntry entry;
                try {
                    if (!entries.hasMoreElements()) {
                        break;
                    }
                    entry = entries.nextElement();
                } catch (RuntimeException e) {
                    throw new TensorFormatException(name, null, -1, "corrupt zip directory: " + e.getMessage(), e);
                }
                String member = entry.getName();
                if (!member.endsWith(".npy")) {
                    throw new TensorFormatException(name, member, -1, "expected only '<key>.npy' members");
                }
                String key = member.substring(0, member.length() - 4);
                if (out.containsKey(key)) {
                    throw new TensorFormatException(name, member, -1, "duplicate member");
                }
                out.put(key, readMember(zip, entry, name));
            }
            return out;
        }
    }

    private static Tensor readMember(ZipFile zip, ZipEntry entry, String file) throws IOException {
        NpyCodec.Origin origin = new NpyCodec.Origin(file, entry.getName());
        long declared = entry.getSize();
        long compressed = entry.getCompressedSize();
        long available;
        if (entry.getMethod() == ZipEntry.STORED) {
            available = declared;
        } else {
            long bound = compressed < 0 ? 0 : Math.multiplyHigh(compressed, MAX_DEFLATE_RATIO) != 0
                    ? Long.MAX_VALUE : compressed * MAX_DEFLATE_RATIO + 64;
            available = declared < 0 ? bound : Math.min(declared, bound);
        }
        InputStream raw;
        try {
            raw = zip.getInputStream(entry);
        } catch (IOException | RuntimeException e) {
            throw origin.error(-1, "corrupt zip entry: " + e.getMessage(), e);
        }
        CRC32 crc = new CRC32();
        try (InputStream in = new CheckedInputStream(new BufferedInputStream(raw, 1 << 16), crc)) {
            NpyCodec.Reader reader = new NpyCodec.Reader(in, origin);
            Tensor t = NpyCodec.read(reader, Math.max(available, 0));
            if (!reader.atEnd()) {
                throw origin.error(reader.position, "unexpected bytes after the array data");
            }
            if (declared >= 0 && reader.position != declared) {
                throw origin.error(reader.position, "the zip directory declares " + declared
                        + " bytes but the member holds " + reader.position);
            }
            if (entry.getCrc() >= 0 && crc.getValue() != entry.getCrc()) {
                throw origin.error(-1, String.format("CRC-32 mismatch: the zip directory says %08x but the data has %08x",
                        entry.getCrc(), crc.getValue()));
            }
            return t;
        }
    }

    /** Writes the arrays as stored (uncompressed) members {@code <key>.npy}, like {@code numpy.savez}. */
    public static void write(Path file, Map<String, Tensor> arrays) throws IOException {
        write(file, arrays, false);
    }

    /** Writes the arrays as deflated members, like {@code numpy.savez_compressed}. */
    public static void writeCompressed(Path file, Map<String, Tensor> arrays) throws IOException {
        write(file, arrays, true);
    }

    private static void write(Path file, Map<String, Tensor> arrays, boolean deflate) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
            for (Map.Entry<String, Tensor> e : arrays.entrySet()) {
                if (e.getKey() == null || e.getKey().isEmpty()) {
                    throw new IllegalArgumentException("arrays: keys must be non-empty but got '" + e.getKey() + "'");
                }
                Tensor t = e.getValue();
                byte[] header = NpyCodec.header(t);
                ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
                if (deflate) {
                    entry.setMethod(ZipEntry.DEFLATED);
                } else {
                    CRC32 crc = new CRC32();
                    crc.update(header);
                    MemorySegment seg = t.segment();
                    for (long off = 0; off < seg.byteSize(); off += 1 << 30) {
                        crc.update(seg.asSlice(off, Math.min(1 << 30, seg.byteSize() - off)).asByteBuffer());
                    }
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(header.length + t.byteSize());
                    entry.setCompressedSize(header.length + t.byteSize());
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                OutputStream member = zip;
                NpyCodec.write(member, t);
                zip.closeEntry();
            }
        }
    }
}
