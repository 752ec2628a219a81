package io.github.tangent4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Zarr v2 store against what zarr-python 2.13 writes, and its resume and refusal rules. */
class ZarrStoreTest {
    @TempDir
    Path dir;

    /** zarr.open(p, mode="w", shape=(5, 3), chunks=(2, 3), dtype="<f8", compressor=None, dimension_separator=".") */
    private static final String ZARRAY_F8 = "{\n    \"chunks\": [\n        2,\n        3\n    ],\n"
            + "    \"compressor\": null,\n    \"dimension_separator\": \".\",\n    \"dtype\": \"<f8\",\n"
            + "    \"fill_value\": 0.0,\n    \"filters\": null,\n    \"order\": \"C\",\n    \"shape\": [\n        5,\n"
            + "        3\n    ],\n    \"zarr_format\": 2\n}";

    private static Tensor counting(long... shape) {
        Tensor t = Tensor.allocate(DType.F64, shape);
        for (long i = 0; i < t.size(); i++) {
            t.setFlat(i, i + 1);
        }
        return t;
    }

    private ZarrStore store(String name, long[] shape, long[] chunks, Map<String, ?> attrs) throws IOException {
        return ZarrStore.open(new LocalStoreDirectory(dir.resolve(name)), DType.F64, shape, chunks, attrs);
    }

    @Test
    void metadataIsWhatZarrPythonWrites() throws IOException {
        assertEquals(ZARRAY_F8, new String(ZarrStore.zarray(DType.F64, new long[] {5, 3}, new long[] {2, 3}),
                StandardCharsets.US_ASCII));
        String bool = new String(ZarrStore.zarray(DType.BOOL, new long[] {5}, new long[] {2}), StandardCharsets.US_ASCII);
        assertTrue(bool.contains("\"dtype\": \"|b1\",\n    \"fill_value\": false,"), bool);
        // json.dumps({"subcommand": "ntk", "options": {"b": "1", "a": "x\u00e9"}}, indent=4, sort_keys=True)
        assertEquals("{\n    \"options\": {\n        \"a\": \"x\\u00e9\",\n        \"b\": \"1\"\n    },\n"
                + "    \"subcommand\": \"ntk\"\n}", new String(ZarrStore.zattrs(Map.of("subcommand", "ntk", "options",
                        Map.of("b", "1", "a", "x\u00e9"))), StandardCharsets.US_ASCII));
        store("a.zarr", new long[] {5, 3}, new long[] {2, 3}, Map.of());
        assertEquals(ZARRAY_F8, Files.readString(dir.resolve("a.zarr/.zarray")));
        assertEquals("{}", Files.readString(dir.resolve("a.zarr/.zattrs")));
    }

    @Test
    void chunksAreRawLittleEndianWithZeroPaddedEdges() throws IOException {
        Tensor all = counting(5, 3, 2);
        ZarrStore s = store("b.zarr", all.shape(), new long[] {2, 2, 2}, Map.of());
        ZarrSink sink = new ZarrSink(s);
        assertFalse(sink.hasTile(0, 5, 0, 3));
        sink.writeTile(0, 0, all);   // one tile over every chunk
        assertTrue(sink.hasTile(0, 5, 0, 3));
        assertEquals(2 * 2 * 2 * 8, Files.size(dir.resolve("b.zarr/2.1.0")));
        ByteBuffer edge = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("b.zarr/2.1.0"))).order(ByteOrder.LITTLE_ENDIAN);
        // chunk (2, 1) holds row 4, column 2 (values 29, 30), then zeros for the rows and columns past the edge
        assertEquals(29, edge.getDouble(0));
        assertEquals(30, edge.getDouble(8));
        for (int k = 2; k < 8; k++) {
            assertEquals(0, edge.getDouble(8 * k), "padding " + k);
        }
        Tensor back = s.read();
        assertArrayEquals(all.toDoubleArray(), back.toDoubleArray());
        assertThrows(IllegalArgumentException.class, () -> sink.writeTile(1, 0, all.slice(1, 3)), "not on a boundary");
    }

    @Test
    void aChunkOfTheWrongSizeIsAbsent() throws IOException {
        ZarrStore s = store("c.zarr", new long[] {4, 4}, new long[] {2, 2}, Map.of());
        Files.write(dir.resolve("c.zarr/0.1"), new byte[31]);
        assertFalse(s.hasChunk(0, 1));
        Files.write(dir.resolve("c.zarr/0.1"), new byte[33]);
        assertFalse(s.hasChunk(0, 1));
        s.writeChunk(0, 1, counting(2, 2));
        assertTrue(s.hasChunk(0, 1));
        assertEquals(32, Files.size(dir.resolve("c.zarr/0.1")));
    }

    @Test
    void reopensItsOwnStoreAndRefusesAnyOther() throws IOException {
        Map<String, String> attrs = Map.of("subcommand", "ntk");
        ZarrStore s = store("d.zarr", new long[] {4, 4}, new long[] {2, 2}, attrs);
        s.writeChunk(1, 1, counting(2, 2));
        Files.write(dir.resolve("d.zarr/.0.0.abc.tmp"), new byte[7]);   // left by a killed writer
        ZarrStore again = store("d.zarr", new long[] {4, 4}, new long[] {2, 2}, attrs);
        assertTrue(again.hasChunk(1, 1));
        assertFalse(Files.exists(dir.resolve("d.zarr/.0.0.abc.tmp")), "temporary files are cleared on open");

        String other = assertThrows(IllegalArgumentException.class,
                () -> store("d.zarr", new long[] {4, 4}, new long[] {2, 2}, Map.of("subcommand", "kernel"))).getMessage();
        assertTrue(other.contains("other inputs or options") && other.contains("kernel") && !other.contains("\n"), other);
        String shape = assertThrows(IllegalArgumentException.class,
                () -> store("d.zarr", new long[] {4, 5}, new long[] {2, 2}, attrs)).getMessage();
        assertTrue(shape.contains("another Zarr array") && shape.contains("(4, 5)"), shape);

        Files.createDirectories(dir.resolve("e.zarr"));
        Files.writeString(dir.resolve("e.zarr/notes.txt"), "mine");
        String foreign = assertThrows(IllegalArgumentException.class,
                () -> store("e.zarr", new long[] {4, 4}, new long[] {2, 2}, attrs)).getMessage();
        assertTrue(foreign.contains("not a Zarr array") && foreign.contains("notes.txt"), foreign);
        assertEquals("mine", Files.readString(dir.resolve("e.zarr/notes.txt")));
    }

    @Test
    void transposeMirrorsBlocksAndOutputPairs() {
        Tensor m = counting(2, 3, 2, 2);
        Tensor t = Blocks.transpose(m, true);
        assertArrayEquals(new long[] {3, 2, 2, 2}, t.shape());
        for (int a = 0; a < 2; a++) {
            for (int b = 0; b < 3; b++) {
                for (int p = 0; p < 2; p++) {
                    for (int q = 0; q < 2; q++) {
                        assertEquals(m.get(a, b, p, q), t.get(b, a, q, p));
                    }
                }
            }
        }
        Tensor square = counting(70, 130);   // more than one 64 x 64 block each way, with partial blocks
        Tensor st = Blocks.transpose(square, false);
        assertArrayEquals(new long[] {130, 70}, st.shape());
        for (int a = 0; a < 70; a++) {
            for (int b = 0; b < 130; b += 7) {
                assertEquals(square.get(a, b), st.get(b, a));
            }
        }
        Tensor f32 = counting(3, 5).to(DType.F32);
        assertArrayEquals(new float[] {1, 6, 11, 2, 7, 12, 3, 8, 13, 4, 9, 14, 5, 10, 15},
                Blocks.transpose(f32, false).toFloatArray());
        Tensor c = Blocks.columns(counting(2, 3), 1, 3);
        assertArrayEquals(new double[] {2, 3, 5, 6}, c.toDoubleArray());
    }
}
