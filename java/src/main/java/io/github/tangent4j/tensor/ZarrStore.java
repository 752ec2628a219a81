package io.github.tangent4j.tensor;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Zarr v2 array in a {@link StoreDirectory}, written chunk by chunk and resumable. The metadata is
 * what zarr-python 2.x writes for {@code zarr.open(path, mode="w", shape=..., chunks=..., dtype=...,
 * compressor=None, dimension_separator=".")}: {@code .zarray} (no compressor, no filters, C order, fill
 * value 0) and {@code .zattrs} (the caller's attributes: what was computed from what). Chunks are the
 * raw little-endian C-order bytes of one block of {@link #chunks()}, edge chunks full-size and padded with
 * zeros (as Zarr v2 requires), named by their indices joined with dots ({@code 0.0}, {@code 0.1}, ...).
 * Only the first two axes are chunked ({@code chunks[k] == shape[k]} for k >= 2), so chunk (i, j) holds
 * rows {@code [i R, (i+1) R)} and columns {@code [j C, (j+1) C)}; for a one-dimensional array j is 0.
 *
 * <p>{@link #open} creates the store or, when it exists, checks that it is the same array from the same
 * computation (its {@code .zarray} and {@code .zattrs} are byte for byte what this call would write) and
 * refuses anything else in one line. A chunk is {@linkplain #hasChunk present} only when its file has the
 * chunk's exact size: a truncated or foreign file of a chunk's name is computed again, never trusted.
 *
 * <p>Reference: the Zarr storage specification, version 2 (zarr-specs, docs/v2/v2.0.rst).
 */
public final class ZarrStore {
    /** The metadata file of the array. */
    public static final String ZARRAY = ".zarray";
    /** The user attributes of the array. */
    public static final String ZATTRS = ".zattrs";

    private final StoreDirectory dir;
    private final DType dtype;
    private final long[] shape;
    private final long[] chunks;
    private final long chunkBytes;

    private ZarrStore(StoreDirectory dir, DType dtype, long[] shape, long[] chunks) {
        this.dir = dir;
        this.dtype = dtype;
        this.shape = shape;
        this.chunks = chunks;
        this.chunkBytes = Shapes.byteSize(dtype, chunks);
    }

    /**
     * The {@code .zarray} text zarr-python writes for an uncompressed array of {@code dtype}, {@code shape}
     * and {@code chunks} with {@code "."} separators.
     */
    public static byte[] zarray(DType dtype, long[] shape, long[] chunks) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("chunks", longs(chunks));
        m.put("compressor", null);
        m.put("dimension_separator", ".");
        m.put("dtype", dtype.numpyDescr());
        m.put("fill_value", dtype == DType.BOOL ? (Object) Boolean.FALSE
                : dtype.isFloating() ? new ZarrJson.Raw("0.0") : (Object) 0);
        m.put("filters", null);
        m.put("order", "C");
        m.put("shape", longs(shape));
        m.put("zarr_format", 2);
        return ZarrJson.encode(m);
    }

    /** The {@code .zattrs} text for {@code attributes} (string keys; maps, lists, strings, integers, booleans). */
    public static byte[] zattrs(Map<String, ?> attributes) {
        return ZarrJson.encode(attributes);
    }

    /**
     * Opens the store in {@code dir}: creates the array when the directory is missing or empty, else checks
     * that the existing metadata is exactly this array's and these attributes, and deletes temporary files
     * left by killed writers. Call it once per store, before any chunk is written (temporary files of
     * writers running at the same time would be deleted).
     *
     * @param chunks the chunk shape: positive, at most the shape on the first two axes (at least 1), the
     *               whole axis on the others
     * @throws IllegalArgumentException naming the store and the difference when it holds something else
     * @throws IOException              when the directory cannot be read or written
     */
    public static ZarrStore open(StoreDirectory dir, DType dtype, long[] shape, long[] chunks, Map<String, ?> attributes)
            throws IOException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(dtype, "dtype");
        checkChunks(shape, chunks);
        byte[] zarray = zarray(dtype, shape, chunks);
        byte[] zattrs = zattrs(attributes);
        List<String> names = dir.list();
        if (names.contains(ZARRAY)) {
            byte[] have = dir.read(ZARRAY);
            if (!Arrays.equals(have, zarray)) {
                throw new IllegalArgumentException(dir.location() + ": holds another Zarr array (its " + ZARRAY
                        + " is not that of shape " + Shapes.format(shape) + " " + dtype.numpyDescr() + " in chunks "
                        + Shapes.format(chunks) + "); expected a new name or the store of this same command");
            }
            byte[] attrs = names.contains(ZATTRS) ? dir.read(ZATTRS) : new byte[0];
            if (!Arrays.equals(attrs, zattrs)) {
                throw new IllegalArgumentException(dir.location() + ": is the store of other inputs or options ("
                        + ZATTRS + " " + firstDifference(attrs, zattrs) + "); expected a new name or the store of"
                        + " this same command");
            }
        } else {
            for (String name : names) {
                if (!name.equals(ZATTRS) && !StoreDirectory.isTemporary(name)) {
                    throw new IllegalArgumentException(dir.location() + ": is not empty and not a Zarr array (no "
                            + ZARRAY + ", holds '" + name + "'); expected a new name or the store of this same"
                            + " command");
                }
            }
            dir.create();
            // .zattrs first: a store with a .zarray always has its attributes, so a resumed run can check them.
            dir.write(ZATTRS, zattrs);
            dir.write(ZARRAY, zarray);
        }
        for (String name : names) {
            if (StoreDirectory.isTemporary(name)) {
                dir.delete(name);
            }
        }
        return new ZarrStore(dir, dtype, shape.clone(), chunks.clone());
    }

    /**
     * The existing store in {@code dir}, as it is (no attributes checked, nothing written): an
     * uncompressed array in exactly the metadata {@link #zarray} writes, such as a store of the command line
     * or of zarr-python with {@code compressor=None, dimension_separator="."}.
     *
     * @throws TensorFormatException naming the directory when there is no such array
     */
    public static ZarrStore openExisting(StoreDirectory dir) throws IOException {
        if (dir.size(ZARRAY) < 0) {
            throw new TensorFormatException(dir.location(), null, null, -1, false, "no " + ZARRAY
                    + "; expected a Zarr v2 array store", null);
        }
        byte[] have = dir.read(ZARRAY);
        String text = new String(have, StandardCharsets.UTF_8);
        java.util.regex.Matcher d = java.util.regex.Pattern.compile("\"dtype\": \"([^\"]*)\"").matcher(text);
        DType dtype = null;
        if (d.find()) {
            for (DType t : DType.values()) {
                dtype = t.numpyDescr().equals(d.group(1)) ? t : dtype;
            }
        }
        long[] shape = longsIn(text, "shape");
        long[] chunks = longsIn(text, "chunks");
        if (dtype == null || shape == null || chunks == null || !Arrays.equals(have, zarray(dtype, shape, chunks))) {
            throw new TensorFormatException(dir.location(), null, ZARRAY, -1, false, "expected an uncompressed Zarr v2"
                    + " array (no compressor or filters, C order, \".\" separators, fill value 0)", null);
        }
        return new ZarrStore(dir, dtype, shape, chunks);
    }

    private static long[] longsIn(String json, String key) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + key + "\": \\[([0-9,\\s]*)\\]")
                .matcher(json);
        if (!m.find()) {
            return null;
        }
        String[] parts = m.group(1).strip().split("\\s*,\\s*");
        try {
            return Arrays.stream(parts).mapToLong(Long::parseLong).toArray();
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void checkChunks(long[] shape, long[] chunks) {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(chunks, "chunks");
        if (shape.length == 0 || chunks.length != shape.length) {
            throw new IllegalArgumentException("chunks: expected " + shape.length + " dimensions like the shape "
                    + Shapes.format(shape) + " but was " + Shapes.format(chunks));
        }
        for (int k = 0; k < shape.length; k++) {
            boolean ok = k < 2 ? chunks[k] >= 1 && chunks[k] <= Math.max(1, shape[k]) : chunks[k] == shape[k];
            if (shape[k] < 0 || !ok) {
                throw new IllegalArgumentException("chunks: expected 1.." + Math.max(1, shape[k]) + " on the first two"
                        + " axes and the whole axis on the others for shape " + Shapes.format(shape) + " but was "
                        + Shapes.format(chunks));
            }
        }
    }

    private static String firstDifference(byte[] have, byte[] want) {
        String[] a = new String(have, StandardCharsets.UTF_8).split("\n");
        String[] b = new String(want, StandardCharsets.UTF_8).split("\n");
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String x = i < a.length ? a[i].strip() : "(end)";
            String y = i < b.length ? b[i].strip() : "(end)";
            if (!x.equals(y)) {
                return "has " + x + " where this command writes " + y;
            }
        }
        return "differs";
    }

    private static List<Long> longs(long[] values) {
        List<Long> list = new ArrayList<>();
        for (long v : values) {
            list.add(v);
        }
        return list;
    }

    /** The directory. */
    public StoreDirectory directory() {
        return dir;
    }

    /** The element type. */
    public DType dtype() {
        return dtype;
    }

    /** The array's shape. */
    public long[] shape() {
        return shape.clone();
    }

    /** The chunk shape. */
    public long[] chunks() {
        return chunks.clone();
    }

    /** The number of chunks along axis 0 and axis 1 (1 for a one-dimensional array). */
    public long[] grid() {
        return new long[] {ceilDiv(shape[0], chunks[0]), shape.length == 1 ? 1 : ceilDiv(shape[1], chunks[1])};
    }

    /** The size in bytes of every chunk file. */
    public long chunkBytes() {
        return chunkBytes;
    }

    /** The file name of chunk ({@code row}, {@code col}): its indices on every axis, joined with dots. */
    public String chunkName(long row, long col) {
        checkIndex(row, col);
        StringBuilder sb = new StringBuilder().append(row);
        for (int k = 1; k < shape.length; k++) {
            sb.append('.').append(k == 1 ? col : 0);
        }
        return sb.toString();
    }

    /** True when chunk ({@code row}, {@code col}) is there, whole: a file of exactly {@link #chunkBytes()}. */
    public boolean hasChunk(long row, long col) throws IOException {
        return dir.size(chunkName(row, col)) == chunkBytes;
    }

    /**
     * Writes chunk ({@code row}, {@code col}) from {@code block}: the array's values on the chunk's rows and
     * columns clipped to the array, so of shape (min(R, N - row R), min(C, M - col C), trailing axes...);
     * the rest of the chunk is zero. The file is written whole or not at all.
     *
     * @throws IllegalArgumentException if the block's dtype or shape is not the chunk's
     */
    public void writeChunk(long row, long col, Tensor block) throws IOException {
        long[] expected = blockShape(row, col);
        if (block.dtype() != dtype || !Shapes.same(expected, block.shape())) {
            throw new IllegalArgumentException("block: expected " + Shapes.format(expected) + " of " + dtype
                    + " for chunk " + chunkName(row, col) + " but was " + Shapes.format(block.shape()) + " of "
                    + block.dtype());
        }
        if (chunkBytes > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("chunks: a chunk of " + Shapes.format(chunks) + " is " + chunkBytes
                    + " bytes; expected at most 2 GiB per chunk");
        }
        byte[] bytes = new byte[(int) chunkBytes];
        MemorySegment chunk = MemorySegment.ofArray(bytes);
        long rowBytes = chunkBytes / chunks[0];
        long copied = block.byteSize() / Math.max(1, expected[0]);   // the block's row, a prefix of the chunk's
        for (long a = 0; a < expected[0]; a++) {
            MemorySegment.copy(block.segment(), a * copied, chunk, a * rowBytes, copied);
        }
        dir.write(chunkName(row, col), bytes);
    }

    /** The values of chunk ({@code row}, {@code col}) inside the array, shape as {@link #writeChunk} takes. */
    public Tensor readChunk(long row, long col) throws IOException {
        String name = chunkName(row, col);
        byte[] bytes = dir.read(name);
        if (bytes.length != chunkBytes) {
            throw new TensorFormatException(dir.location(), "chunk", name, -1, false, "expected " + chunkBytes
                    + " bytes but was " + bytes.length, null);
        }
        long[] s = blockShape(row, col);
        Tensor out = Tensor.allocate(dtype, s);
        long rowBytes = chunkBytes / chunks[0];
        long copied = out.byteSize() / Math.max(1, s[0]);
        for (long a = 0; a < s[0]; a++) {
            MemorySegment.copy(MemorySegment.ofArray(bytes), a * rowBytes, out.segment(), a * copied, copied);
        }
        return out;
    }

    /** The whole array in memory, every chunk read (for tests and arrays that fit). */
    public Tensor read() throws IOException {
        Tensor out = Tensor.allocate(dtype, shape);
        long[] g = grid();
        long trailing = out.byteSize() / Math.max(1, shape[0]) / (shape.length == 1 ? 1 : Math.max(1, shape[1]));
        long outRow = shape.length == 1 ? dtype.byteSize() : trailing * shape[1];
        for (long i = 0; i < g[0]; i++) {
            for (long j = 0; j < g[1]; j++) {
                Tensor b = readChunk(i, j);
                long rows = b.dim(0);
                long bRow = b.byteSize() / Math.max(1, rows);
                long colOffset = shape.length == 1 ? 0 : j * chunks[1] * trailing;
                for (long a = 0; a < rows; a++) {
                    MemorySegment.copy(b.segment(), a * bRow, out.segment(), (i * chunks[0] + a) * outRow + colOffset,
                            bRow);
                }
            }
        }
        return out;
    }

    /** The shape of chunk ({@code row}, {@code col})'s values inside the array. */
    public long[] blockShape(long row, long col) {
        checkIndex(row, col);
        long[] s = shape.clone();
        s[0] = Math.min(chunks[0], shape[0] - row * chunks[0]);
        if (s.length > 1) {
            s[1] = Math.min(chunks[1], shape[1] - col * chunks[1]);
        }
        return s;
    }

    private void checkIndex(long row, long col) {
        long[] g = grid();
        if (row < 0 || row >= g[0] || col < 0 || col >= g[1]) {
            throw new IllegalArgumentException("chunk: expected indices below " + g[0] + " x " + g[1] + " but was ("
                    + row + ", " + col + ")");
        }
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    @Override
    public String toString() {
        return "Zarr array " + Shapes.format(shape) + " of " + dtype + " in chunks " + Shapes.format(chunks) + " at "
                + dir.location();
    }
}
