package io.github.tangent4j.tensor;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpzTest {
    @TempDir
    Path dir;

    private static Map<String, Tensor> sample() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        int i = 0;
        for (DType t : DType.values()) {
            m.put("a" + i, NpyTest.random(t, i, 3, 4));
            i++;
        }
        m.put("scalar", NpyTest.random(DType.F64, 99));
        m.put("empty", Tensor.allocate(DType.F32, 0, 5));
        return m;
    }

    @Test
    void roundTripsStoredAndDeflatedInOrder() throws IOException {
        Map<String, Tensor> m = sample();
        for (boolean deflate : new boolean[] {false, true}) {
            Path p = dir.resolve("m.npz");
            if (deflate) {
                Npz.writeCompressed(p, m);
            } else {
                Npz.write(p, m);
            }
            Map<String, Tensor> back = Npz.read(p);
            assertEquals(List.copyOf(m.keySet()), List.copyOf(back.keySet()));
            for (String k : m.keySet()) {
                NpyTest.assertSameTensor(m.get(k), back.get(k));
            }
        }
    }

    @Test
    void readsNumPyStyleArchivesWithZip64ExtraFields() throws IOException {
        byte[] w = Fixtures.npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }",
                Fixtures.doubles(LITTLE_ENDIAN, 1, 2, 3, 4));
        byte[] b = Fixtures.npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
                Fixtures.floats(LITTLE_ENDIAN, 5, 6));
        for (boolean zip64Central : new boolean[] {false, true}) {
            Path p = dir.resolve("np.npz");
            Files.write(p, Fixtures.numpyStyleZip(zip64Central, new String[] {"0.weight.npy", "0.bias.npy"},
                    new byte[][] {w, b}));
            Map<String, Tensor> m = Npz.read(p);
            assertEquals(List.of("0.weight", "0.bias"), List.copyOf(m.keySet()));
            assertArrayEquals(new double[] {1, 2, 3, 4}, m.get("0.weight").toDoubleArray());
            assertArrayEquals(new float[] {5, 6}, m.get("0.bias").toFloatArray());
        }
    }

    @Test
    void readsArchivesWrittenByPythonsZipfileWithForceZip64() throws Exception {
        // Seeds written by CPython's zipfile exactly as numpy.savez / savez_compressed call it.
        for (String seed : new String[] {"stored_zip64", "deflated_zip64"}) {
            Path p = Path.of(getClass().getResource("ReaderFuzzTestInputs/npz/" + seed).toURI());
            Map<String, Tensor> m = Npz.read(p);
            assertEquals(List.of("0.weight", "0.bias"), List.copyOf(m.keySet()), seed);
            assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, m.get("0.weight").toDoubleArray(), seed);
            assertArrayEquals(new long[] {2, 3}, m.get("0.weight").shape());
            assertArrayEquals(new double[] {0, 1, 1}, m.get("0.bias").toDoubleArray(), seed);
        }
    }

    @Test
    void truncationAtEveryByteIsANamedError() throws IOException {
        Map<String, Tensor> m = Map.of("x", NpyTest.random(DType.F64, 1, 2, 3));
        for (boolean deflate : new boolean[] {false, true}) {
            Path ok = dir.resolve("ok.npz");
            if (deflate) {
                Npz.writeCompressed(ok, m);
            } else {
                Npz.write(ok, m);
            }
            byte[] bytes = Files.readAllBytes(ok);
            for (int n = 0; n < bytes.length; n++) {
                Path p = dir.resolve("t.npz");
                Files.write(p, Arrays.copyOf(bytes, n));
                var e = assertThrows(TensorFormatException.class, () -> Npz.read(p), "length " + n);
                assertTrue(e.getMessage().startsWith(p.toString() + ": "), e.getMessage());
            }
        }
    }

    @Test
    void everySingleByteCorruptionEitherReadsTheSameArrayOrFailsCleanly() throws IOException {
        Tensor x = NpyTest.random(DType.F64, 5, 2, 2);
        Path ok = dir.resolve("ok.npz");
        Npz.write(ok, Map.of("x", x));
        byte[] bytes = Files.readAllBytes(ok);
        for (int i = 0; i < bytes.length; i++) {
            byte[] b = bytes.clone();
            b[i] ^= 0x41;
            Path p = dir.resolve("c.npz");
            Files.write(p, b);
            try {
                Map<String, Tensor> m = Npz.read(p);
                // Only fields the reader does not use (times, attributes) or the member name, which zip
                // does not checksum, may change without an error; the array itself never does.
                assertEquals(1, m.size());
                NpyTest.assertSameTensor(x, m.values().iterator().next());
            } catch (TensorFormatException expected) {
                assertTrue(expected.getMessage().startsWith(p.toString()), expected.getMessage());
            }
        }
    }

    @Test
    void forgedMemberClaimingAHugeArrayIsRejectedBeforeAllocating() throws IOException {
        byte[] npy = Fixtures.npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000), }",
                new byte[8]);
        Path stored = dir.resolve("forged.npz");
        Files.write(stored, Fixtures.numpyStyleZip(false, new String[] {"w.npy"}, new byte[][] {npy}));
        var e = assertThrows(TensorFormatException.class, () -> Npz.read(stored));
        assertTrue(e.getMessage().contains("'w.npy'") && e.getMessage().contains("offset 128")
                && e.getMessage().contains("80000000000 bytes"), e.getMessage());

        // Deflated: 136 bytes of well-compressible data cannot hold 80 GB.
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(buf)) {
            z.putNextEntry(new ZipEntry("w.npy"));
            z.write(npy);
            z.closeEntry();
        }
        Path deflated = dir.resolve("forged2.npz");
        Files.write(deflated, buf.toByteArray());
        var d = assertThrows(TensorFormatException.class, () -> Npz.read(deflated));
        assertTrue(d.getMessage().contains("'w.npy'") && d.getMessage().contains("remain"), d.getMessage());
    }

    @Test
    void nonNpyMembersAndGarbageAreNamedErrors() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(buf)) {
            z.putNextEntry(new ZipEntry("notes.txt"));
            z.write("hello".getBytes());
            z.closeEntry();
        }
        Path p = dir.resolve("txt.npz");
        Files.write(p, buf.toByteArray());
        var e = assertThrows(TensorFormatException.class, () -> Npz.read(p));
        assertTrue(e.getMessage().contains("'notes.txt'"), e.getMessage());
        Path g = dir.resolve("garbage.npz");
        Files.write(g, "this is not a zip file at all".getBytes());
        var f = assertThrows(TensorFormatException.class, () -> Npz.read(g));
        assertTrue(f.getMessage().contains("zip"), f.getMessage());
    }
}
