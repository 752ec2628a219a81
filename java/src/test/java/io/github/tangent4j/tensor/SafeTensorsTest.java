package io.github.tangent4j.tensor;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsEveryDtypeWithMetadata() throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        int i = 0;
        for (DType t : DType.values()) {
            m.put("t" + i + ".\"quoted\"", NpyTest.random(t, i, 2, 3));
            i++;
        }
        m.put("empty", Tensor.allocate(DType.F64, 0));
        m.put("scalar", NpyTest.random(DType.F32, 1));
        Path p = dir.resolve("m.safetensors");
        SafeTensors.write(p, m, Map.of("format", "pt"));
        Map<String, Tensor> back = SafeTensors.read(p);
        assertEquals(List.copyOf(m.keySet()), List.copyOf(back.keySet()));
        for (String k : m.keySet()) {
            NpyTest.assertSameTensor(m.get(k), back.get(k));
        }
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(p), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8);
    }

    @Test
    void readsTheLayoutOfThePythonPackage() throws IOException {
        // safetensors.torch.save_file({"0.weight": ..., "0.bias": ...}) sorts tensors by dtype size then name.
        String json = "{\"0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},"
                + "\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"__metadata__\":{\"format\":\"pt\"}}";
        byte[] data = Fixtures.floats(LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6);
        Path p = dir.resolve("py.safetensors");
        Files.write(p, Fixtures.safetensors(json, data));
        Map<String, Tensor> m = SafeTensors.read(p);
        assertArrayEquals(new float[] {1, 2, 3, 4}, m.get("0.weight").toFloatArray());
        assertArrayEquals(new float[] {5, 6}, m.get("0.bias").toFloatArray());
    }

    @Test
    void truncationAtEveryByteIsANamedError() throws IOException {
        Path ok = dir.resolve("ok.safetensors");
        SafeTensors.write(ok, Map.of("a", NpyTest.random(DType.F64, 2, 3), "b", NpyTest.random(DType.I32, 3, 2)));
        byte[] bytes = Files.readAllBytes(ok);
        for (int n = 0; n < bytes.length; n++) {
            Path p = dir.resolve("t.safetensors");
            Files.write(p, Arrays.copyOf(bytes, n));
            var e = assertThrows(TensorFormatException.class, () -> SafeTensors.read(p), "length " + n);
            assertTrue(e.getMessage().startsWith(p.toString() + ": "), e.getMessage());
        }
    }

    @Test
    void badHeadersNameTheTensorAndField() throws IOException {
        byte[] data = new byte[16];
        String[][] cases = {
            {"{\"w\":{\"dtype\":\"BF16\",\"shape\":[8],\"data_offsets\":[0,16]}}", "'w'", "BF16"},
            {"{\"w\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,16]}}", "'w'", "data_offsets"},
            {"{\"w\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"v\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", "data_offsets", "tile"},
            {"{\"w\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", "cover", "16"},
            {"{\"w\":{\"dtype\":\"F64\",\"shape\":[-2],\"data_offsets\":[0,16]}}", "'w'", "shape"},
            {"{\"w\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16],\"x\":1}}", "'w'", "'x'"},
            {"{\"w\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}", "malformed", "offset"},
            {"[1, 2]", "object", "offset 8"},
            {"{\"w\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,16]}}", "'w'", "64 bits"},
        };
        for (String[] c : cases) {
            Path p = dir.resolve("bad.safetensors");
            Files.write(p, Fixtures.safetensors(c[0], data));
            var e = assertThrows(TensorFormatException.class, () -> SafeTensors.read(p), c[0]);
            assertTrue(e.getMessage().contains(c[1]) && e.getMessage().contains(c[2]), e.getMessage());
        }
    }

    @Test
    void forgedHeaderLengthIsRejectedBeforeAllocating() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE);
        Path p = dir.resolve("huge.safetensors");
        Files.write(p, b.array());
        var e = assertThrows(TensorFormatException.class, () -> SafeTensors.read(p));
        assertTrue(e.getMessage().contains("header length") && e.getMessage().contains("offset 0"), e.getMessage());
    }
}
