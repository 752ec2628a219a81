package io.github.tangent4j.tensor;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Reads and writes NumPy {@code .npz} files: zip archives of {@code .npy} members, as written by
 * {@code numpy.savez} (stored) and {@code numpy.savez_compressed} (deflated).
 *
 * <p>Reading returns the arrays in archive order under their member names without {@code .npy}
 * ({@code w.npy} becomes {@code w}); each member is read as {@link Npy} reads a file. ZIP64 end records and
 * extra fields (NumPy always writes the latter) are understood. The archive is checked before anything
 * is allocated: the central directory against the file size, members against each other (no overlaps),
 * a stored member's size against its data, a deflated member's declared size against what deflate can
 * produce from its compressed bytes (at most 1032 times as many). While reading, the inflated byte count
 * and the CRC-32 of every member are verified. Members that are not {@code .npy} files, duplicate names,
 * encryption, multi-disk archives and compression other than deflate are errors. Every problem is a
 * {@link TensorFormatException} naming the file, the member and the offset.
 */
public final class Npz {
    /**
     * Most bytes one compressed byte can inflate to: a deflate match of 258 bytes costs at least two bits
     * (1-bit length and distance codes), so 8 bits produce at most 4 * 258 = 1032 bytes.
     */
    static final long MAX_DEFLATE_RATIO = 1032;
    private static final String SUFFIX = ".npy";
    private static final LocalDateTime ZIP_EPOCH = LocalDateTime.of(1980, 1, 1, 0, 0);

    private Npz() {
    }

    /**
     * Reads all arrays in {@code file}, in archive order.
     *
     * @throws TensorFormatException if the file is not a well-formed {@code .npz} of supported arrays
     * @throws IOException           if the file cannot be read
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        return RandomAccessInput.parseFile(file, Npz::read);
    }

    /**
     * Reads all arrays in the {@code .npz} bytes {@code bytes}; {@code name} is the file name used in error
     * messages.
     *
     * @throws TensorFormatException if the bytes are not a well-formed {@code .npz} of supported arrays
     */
    public static Map<String, Tensor> read(byte[] bytes, String name) throws TensorFormatException {
        return RandomAccessInput.parseBytes(bytes, name, Npz::read);
    }

    private static Map<String, Tensor> read(RandomAccessInput in, FormatContext ctx) throws IOException {
        List<ZipDirectory.Member> members = ZipDirectory.read(in, ctx);
        Map<String, Tensor> arrays = new LinkedHashMap<>();
        for (ZipDirectory.Member m : members) {
            FormatContext mctx = ctx.entry("member", m.name());
            if (!m.name().endsWith(SUFFIX)) {
                throw mctx.error(m.centralOffset(), "not an .npy member: an .npz holds only NAME.npy members");
            }
            String key = m.name().substring(0, m.name().length() - SUFFIX.length());
            if (arrays.containsKey(key)) {
                throw mctx.error(m.centralOffset(), "a second member of this name");
            }
            arrays.put(key, readMember(in, m, mctx));
        }
        return arrays;
    }

    private static Tensor readMember(RandomAccessInput in, ZipDirectory.Member m, FormatContext ctx)
            throws IOException {
        if (m.method() == ZipDirectory.STORED) {
            if (m.compressedSize() != m.size()) {
                throw ctx.error(m.centralOffset(), "stored member declares " + m.size() + " bytes but "
                        + m.compressedSize() + " bytes of data");
            }
            SliceInput input = new SliceInput(in, m.dataOffset(), m.size(), ctx, true);
            Tensor t = Npy.read(input);
            input.verifyCrc(m.crc(), m.dataOffset());
            return t;
        }
        if (m.size() > m.compressedSize() * MAX_DEFLATE_RATIO) {
            throw ctx.error(m.centralOffset(), "declares " + m.size() + " uncompressed bytes from "
                    + m.compressedSize() + " compressed bytes, more than deflate's maximum expansion of "
                    + MAX_DEFLATE_RATIO + ":1 allows");
        }
        try (InflatingInput input = new InflatingInput(in, ctx, m.dataOffset(), m.compressedSize(), m.size())) {
            Tensor t = Npy.read(input);
            input.finish(m.crc());
            return t;
        }
    }

    /**
     * Writes {@code arrays} to {@code file} (created or replaced) as {@code numpy.savez} does: one stored
     * (uncompressed) member {@code KEY.npy} per entry, in map order.
     *
     * @throws IllegalArgumentException if a tensor cannot be written (see {@link Npy#write(Path, Tensor)})
     * @throws IOException              if the file cannot be written (a partial file is deleted only if this call created it)
     */
    public static void write(Path file, Map<String, Tensor> arrays) throws IOException {
        write(file, arrays, false);
    }

    /**
     * Writes {@code arrays} to {@code file} as {@code numpy.savez_compressed} does: deflated members.
     *
     * @throws IllegalArgumentException if a tensor cannot be written (see {@link Npy#write(Path, Tensor)})
     * @throws IOException              if the file cannot be written (a partial file is deleted only if this call created it)
     */
    public static void writeCompressed(Path file, Map<String, Tensor> arrays) throws IOException {
        write(file, arrays, true);
    }

    private static void write(Path file, Map<String, Tensor> arrays, boolean compressed) throws IOException {
        headers(arrays); // rejects unwritable tensors before an existing file is replaced
        FileOutput.write(file, ch -> {
            OutputStream out = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 16);
            write(out, arrays, compressed);
            out.flush();
        });
    }

    /**
     * Writes {@code arrays} as an {@code .npz} archive to {@code out}, which is left open; members are
     * deflated if {@code compressed}.
     *
     * @throws IllegalArgumentException if a tensor cannot be written (see {@link Npy#write(Path, Tensor)})
     */
    public static void write(OutputStream out, Map<String, Tensor> arrays, boolean compressed) throws IOException {
        byte[][] headers = headers(arrays);
        ZipOutputStream zip = new ZipOutputStream(new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() {
                // The caller owns the stream.
            }
        });
        WritableByteChannel channel = Channels.newChannel(zip);
        int i = 0;
        for (Map.Entry<String, Tensor> e : arrays.entrySet()) {
            byte[] header = headers[i++];
            MemorySegment data = e.getValue().segment();
            ZipEntry entry = new ZipEntry(e.getKey() + SUFFIX);
            entry.setTimeLocal(ZIP_EPOCH);
            if (compressed) {
                entry.setMethod(ZipEntry.DEFLATED);
            } else {
                long size = header.length + data.byteSize();
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(size);
                entry.setCompressedSize(size);
                entry.setCrc(crc(header, data));
            }
            zip.putNextEntry(entry);
            Npy.write(channel, header, data);
            zip.closeEntry();
        }
        zip.finish();
        zip.flush();
    }

    /** The .npy header of every tensor, after checking keys, tensors and that each can be written. */
    private static byte[][] headers(Map<String, Tensor> arrays) {
        Objects.requireNonNull(arrays, "arrays");
        byte[][] headers = new byte[arrays.size()][];
        int i = 0;
        for (Map.Entry<String, Tensor> e : arrays.entrySet()) {
            Objects.requireNonNull(e.getKey(), "arrays: key");
            Objects.requireNonNull(e.getValue(), () -> "arrays: tensor '" + e.getKey() + "'");
            headers[i++] = Npy.header(e.getValue());
        }
        return headers;
    }

    private static long crc(byte[] header, MemorySegment data) {
        CRC32 crc = new CRC32();
        crc.update(header);
        long n = data.byteSize();
        for (long done = 0; done < n; done += RandomAccessInput.CHUNK) {
            crc.update(data.asSlice(done, Math.min(RandomAccessInput.CHUNK, n - done)).asByteBuffer());
        }
        return crc.getValue();
    }
}
