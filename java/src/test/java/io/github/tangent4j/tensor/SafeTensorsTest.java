package io.github.tangent4j.tensor;

import static io.github.tangent4j.tensor.Fixtures.assertSameTensor;
import static io.github.tangent4j.tensor.Fixtures.concat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SafeTensorsTest {
    @TempDir
    Path dir;

    /** A safetensors file: the 8-byte little-endian length of {@code header}, the header, the data. */
    static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(h.length).put(h).put(data).array();
    }

    static byte[] floatsLe(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    private static byte[] write(Map<String, Tensor> tensors, Map<String, String> metadata) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafeTensors.write(out, tensors, metadata);
        return out.toByteArray();
    }

    // ---- layout as the safetensors package writes it -------------------------------------------

    @Test
    void writesTheReferenceLayout() throws Exception {
        // The reference implementation's serialization test vector: "attn.0", F32 (1, 2, 3), 0..5.
        Tensor t = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 1, 2, 3);
        byte[] expected = file("{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}",
                floatsLe(0, 1, 2, 3, 4, 5));
        assertEquals(64, expected[0]);
        assertArrayEquals(expected, write(Map.of("attn.0", t), Map.of()));
        // A shorter name needs 7 spaces of padding to keep the data 8-byte aligned.
        byte[] padded = file("{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ",
                floatsLe(0, 1, 2, 3, 4, 5));
        assertArrayEquals(padded, write(Map.of("attn0", t.reshape(1, 1, 2, 3)), Map.of()));
    }

    @Test
    void writesEmptyFilesAndMetadataAsTheReference() throws Exception {
        assertArrayEquals(new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '}', 32, 32, 32, 32, 32, 32}, write(Map.of(), Map.of()));
        assertArrayEquals(file("{\"__metadata__\":{\"framework\":\"pt\"}}     ", new byte[0]),
                write(Map.of(), Map.of("framework", "pt")));
    }

    @Test
    void ordersTensorsByDecreasingAlignmentThenName() throws Exception {
        Random rnd = new Random(3);
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("b", Fixtures.random(DType.BOOL, rnd, 3));
        m.put("u", Fixtures.random(DType.U8, rnd, 1));
        m.put("i32", Fixtures.random(DType.I32, rnd, 1));
        m.put("f32b", Fixtures.random(DType.F32, rnd, 1));
        m.put("f32a", Fixtures.random(DType.F32, rnd, 2));
        m.put("f64", Fixtures.random(DType.F64, rnd, 1));
        m.put("i64", Fixtures.random(DType.I64, rnd, 1));
        byte[] f = write(m, Map.of());
        String header = new String(f, 8, (int) ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).getLong(),
                StandardCharsets.UTF_8);
        assertEquals("{\"i64\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"f64\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]},"
                + "\"f32a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},"
                + "\"f32b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[24,28]},"
                + "\"i32\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[28,32]},"
                + "\"u\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[32,33]},"
                + "\"b\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[33,36]}}", header.strip());
        Map<String, Tensor> r = SafeTensors.read(f, "o.safetensors");
        for (String k : m.keySet()) {
            assertSameTensor(m.get(k), r.get(k));
        }
    }

    @Test
    void roundTripsEveryDtypeWithMetadata() throws Exception {
        Random rnd = new Random(5);
        Map<String, Tensor> m = new LinkedHashMap<>();
        long[][] shapes = {{}, {3}, {2, 3}, {0}, {4, 0, 2}, {2, 1, 3, 1}};
        for (DType d : DType.values()) {
            for (long[] s : shapes) {
                m.put(d + Shapes.format(s), Fixtures.random(d, rnd, s));
            }
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("quote\"and\\slash/\u00e9\ud83d\ude00\n", "\u0001");
        Path f = dir.resolve("all.safetensors");
        SafeTensors.write(f, m, meta);
        Map<String, Tensor> r = SafeTensors.read(f);
        assertEquals(m.keySet(), r.keySet());
        for (String k : m.keySet()) {
            assertSameTensor(m.get(k), r.get(k));
        }
        assertEquals(meta, SafeTensors.metadata(f));
        assertEquals(0, (8 + ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN).getLong()) % 8);
    }

    @Test
    void readsAFileAsThePythonPackageWritesIt() throws Exception {
        // safetensors.torch.save_file({"weight": ..., "bias": ...}, f, metadata={"format": "pt"}):
        // metadata first, F64 before F32, compact JSON, spaces to an 8-byte boundary.
        String header = "{\"__metadata__\":{\"format\":\"pt\"},\"weight\":{\"dtype\":\"F64\",\"shape\":[2,2],"
                + "\"data_offsets\":[0,32]},\"bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[32,40]}}";
        header += " ".repeat((8 - header.length() % 8) % 8);
        byte[] f = file(header, concat(Fixtures.doublesLe(1, 2, 3, 4), floatsLe(-1, 0.5f)));
        Map<String, Tensor> r = SafeTensors.read(f, "p.safetensors");
        assertEquals(List.of("weight", "bias"), List.copyOf(r.keySet()));
        assertArrayEquals(new double[] {1, 2, 3, 4}, r.get("weight").toDoubleArray());
        assertArrayEquals(new long[] {2, 2}, r.get("weight").shape());
        assertArrayEquals(new float[] {-1, 0.5f}, r.get("bias").toFloatArray());
    }

    @Test
    void readsAnyKeyOrderWhitespaceAndEscapes() throws Exception {
        String header = " { \"\\u00e9\\ud83d\\ude00\\\"x\" : { \"shape\" : [ 1 ] ,\n\"data_offsets\":[0,4],"
                + "\"dtype\":\"I32\"}, \"__metadata__\": null }\t";
        Map<String, Tensor> r = SafeTensors.read(file(header, Fixtures.bytes(ByteOrder.LITTLE_ENDIAN, 4, 9)), "w");
        assertEquals(9, r.get("\u00e9\ud83d\ude00\"x").get(0));
    }

    // ---- corrupt files -------------------------------------------------------------------------

    @Test
    void everyTruncationIsAnError() throws Exception {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("a", Tensor.of(new double[] {1, 2, 3}, 3));
        m.put("b", Tensor.of(new float[] {4}, 1, 1));
        Fixtures.assertEveryTruncationFails(write(m, Map.of("k", "v")), "t.safetensors", SafeTensors::read);
    }

    @Test
    void forgedHugeShapeIsRejectedBeforeAllocating() {
        byte[] f = file("{\"w\":{\"dtype\":\"F64\",\"shape\":[1000000,1000000],\"data_offsets\":[0,8000000000000]}}",
                new byte[64]);
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> SafeTensors.read(f, "x.st"));
        assertEquals("x.st: tensor 'w': offset 69: data_offsets [0, 8000000000000] run past the end of the data"
                + " buffer, which holds 64 bytes", e.getMessage());
        assertEquals("w", e.entry());
    }

    @Test
    void headerLengthBeyondTheFileOrTheLimitIsRejected() throws Exception {
        byte[] f = file("{}", new byte[0]);
        f[5] = 1;
        assertEquals("h.st: offset 0: header length 1099511627778 exceeds the 2 bytes that follow it",
                assertThrows(TensorFormatException.class, () -> SafeTensors.read(f, "h.st")).getMessage());
        // A sparse file of 150 MB whose header length claims 120 MB: over the 100 MB limit.
        Path big = dir.resolve("big.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(big.toFile(), "rw")) {
            raf.setLength(150_000_000);
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(120_000_000).array());
        }
        assertEquals(big + ": offset 0: header length 120000000 exceeds the limit of 100000000 bytes",
                assertThrows(TensorFormatException.class, () -> SafeTensors.read(big)).getMessage());
    }

    static Stream<Arguments> corruptHeaders() {
        String ok = "\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]";
        return Stream.of(
                Arguments.of("{\"w\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]}}", "w",
                        "dtype 'F16' is not supported (supported: F32, F64, I32, I64, U8, BOOL)"),
                Arguments.of("{\"w\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,8]}}", "w",
                        "dtype 'BF16' is not supported"),
                Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "w",
                        "data_offsets [0, 8] span 8 bytes but shape (3,) of F32 needs 12"),
                Arguments.of("{\"w\":{" + ok + ",\"x\":1}}", "w", "unknown field \"x\""),
                Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", "w", "lacks field data_offsets"),
                Arguments.of("{\"w\":{" + ok + ",\"dtype\":\"F32\"}}", "w", "field dtype appears twice"),
                Arguments.of("{\"w\":{" + ok + "},\"w\":{" + ok + "}}", "w", "a second tensor of this name"),
                Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", "w",
                        "expected a non-negative integer (a shape dimension) but found '-'"),
                Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", "w",
                        "fraction or exponent"),
                Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[02],\"data_offsets\":[0,8]}}", "w", "leading zero"),
                Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,9]}}", "w",
                        "exactly 2 integers"),
                Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8]}}", "w",
                        "exactly 2 integers [begin, end] but holds 1"),
                Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}",
                        "w", "has more than 9223372036854775807 bytes"),
                Arguments.of("{\"w\":{" + ok + "},}", null, "expected a string (a tensor name or __metadata__)"),
                Arguments.of("{\"w\":{" + ok + "}} x", null, "expected only whitespace after the header object"),
                Arguments.of("{\"__metadata__\":{\"a\":1},\"w\":{" + ok + "}}", null, "values must be strings"),
                Arguments.of("[]", null, "expected '{' to start the header object but found '['"),
                Arguments.of("{\"w\\ud800\":{" + ok + "}}", null, "not followed by a low surrogate"),
                Arguments.of("{\"w\\x\":{" + ok + "}}", null, "invalid escape sequence '\\x'"),
                Arguments.of("{\"w\n\":{" + ok + "}}", null, "control character 0x0a"));
    }

    @ParameterizedTest
    @MethodSource("corruptHeaders")
    void corruptHeaderIsANamedError(String header, String tensor, String expected) {
        byte[] f = file(header, new byte[8]);
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> SafeTensors.read(f, "c.st"));
        assertEquals(tensor, e.entry(), e.getMessage());
        assertTrue(e.getMessage().startsWith("c.st: " + (tensor == null ? "" : "tensor '" + tensor + "': ")
                + "offset "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.offset() >= 8 && e.offset() < 8 + header.length(), e.getMessage());
    }

    @Test
    void invalidUtf8InANameIsAnError() {
        byte[] f = file("{\"w?\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[1]);
        f[11] = (byte) 0xc3; // a lead byte followed by '"'
        assertEquals("c.st: offset 9: string is not valid UTF-8",
                assertThrows(TensorFormatException.class, () -> SafeTensors.read(f, "c.st")).getMessage());
    }

    @Test
    void rangesMustTileTheDataBufferExactly() {
        String a = "\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]}";
        assertEquals("g.st: tensor 'b': offset 106: data begins at 5 but the previous tensor 'a' ends at 4: a gap in"
                + " the data buffer", assertThrows(TensorFormatException.class, () -> SafeTensors.read(file("{" + a
                + ",\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[5,7]}}", new byte[7]), "g.st")).getMessage());
        assertTrue(assertThrows(TensorFormatException.class, () -> SafeTensors.read(file("{" + a
                + ",\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[3,5]}}", new byte[5]), "g.st")).getMessage()
                .contains("data begins at 3 but the previous tensor 'a' ends at 4: the tensors overlap"));
        TensorFormatException trailing = assertThrows(TensorFormatException.class,
                () -> SafeTensors.read(file("{" + a + "}", new byte[6]), "g.st"));
        assertEquals("g.st: offset " + (8 + a.length() + 2 + 4) + ": the tensors cover 4 bytes of the data buffer"
                + " but it holds 6", trailing.getMessage());
        assertTrue(assertThrows(TensorFormatException.class, () -> SafeTensors.read(file(
                "{\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[2,4]}}", new byte[4]), "g.st")).getMessage()
                .contains("data begins at 2 but the data buffer starts at 0: a gap"));
    }

    @Test
    void booleanBytesOtherThanZeroAndOneAreErrors() {
        byte[] f = file("{\"m\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[0,2]}}      ", new byte[] {0, 3});
        assertEquals("b.st: tensor 'm': offset 70: BOOL element holds byte 0x03, expected 0 or 1",
                assertThrows(TensorFormatException.class, () -> SafeTensors.read(f, "b.st")).getMessage());
    }

    @Test
    void writerRejectsWhatCannotBeReadBack() {
        Tensor t = Tensor.allocate(DType.F32, 1);
        assertThrows(IllegalArgumentException.class, () -> write(Map.of("__metadata__", t), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> write(Map.of("bad\ud800", t), Map.of()));
        Path f = dir.resolve("bad.safetensors");
        Tensor bad = Tensor.wrap(Tensor.of(new float[] {3}, 1).segment(), DType.BOOL, 4);
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(f, Map.of("b", bad)));
        assertFalse(Files.exists(f));
    }
}
