package io.github.tangent4j.tensor;

import static io.github.tangent4j.tensor.Fixtures.assertSameTensor;
import static io.github.tangent4j.tensor.Fixtures.doublesLe;
import static io.github.tangent4j.tensor.Fixtures.npy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NpzTest {
    private static final byte[] A = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }",
            doublesLe(0, 1, 2, 3, 4, 5));
    private static final byte[] B = npy("{'descr': '<i8', 'fortran_order': False, 'shape': (), }",
            Fixtures.bytes(ByteOrder.LITTLE_ENDIAN, 8, -7));

    @TempDir
    Path dir;

    private static Map<String, Tensor> sample() {
        Random rnd = new Random(42);
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("0.weight", Fixtures.random(DType.F32, rnd, 4, 3));
        m.put("0.bias", Fixtures.random(DType.F64, rnd, 4));
        m.put("scalar", Fixtures.random(DType.I64, rnd));
        m.put("empty", Fixtures.random(DType.I32, rnd, 0, 5));
        m.put("mask", Fixtures.random(DType.BOOL, rnd, 2, 2, 2));
        m.put("bytes", Fixtures.random(DType.U8, rnd, 7));
        m.put("zeros", Tensor.allocate(DType.F64, 100, 100));
        return m;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void roundTripsInOrder(boolean compressed) throws Exception {
        Map<String, Tensor> m = sample();
        Path f = dir.resolve("m.npz");
        if (compressed) {
            Npz.writeCompressed(f, m);
        } else {
            Npz.write(f, m);
        }
        Map<String, Tensor> r = Npz.read(f);
        assertEquals(List.copyOf(m.keySet()), List.copyOf(r.keySet()));
        for (String k : m.keySet()) {
            assertSameTensor(m.get(k), r.get(k));
        }
        if (compressed) {
            assertTrue(Files.size(f) < 80_000 / 10, "100x100 zeros should compress");
        }
    }

    @Test
    void readsArchivesWrittenByCPythonsZipfileAsNumpySavezDoes() throws Exception {
        // Seeds written by CPython's zipfile with force_zip64=True, stored and deflated, as numpy.savez and
        // numpy.savez_compressed call it: members 0.weight (f8, 2 x 3, 0..5) and 0.bias (b1, [0, 1, 1]).
        for (String seed : new String[] {"stored_zip64", "deflated_zip64"}) {
            Path p = Path.of(getClass().getResource("NpzFuzzTestInputs/fuzz/seed-cpython-" + seed + ".npz").toURI());
            Map<String, Tensor> m = Npz.read(p);
            assertEquals(List.of("0.weight", "0.bias"), List.copyOf(m.keySet()), seed);
            assertArrayEquals(new long[] {2, 3}, m.get("0.weight").shape(), seed);
            assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, m.get("0.weight").toDoubleArray(), seed);
            assertArrayEquals(new double[] {0, 1, 1}, m.get("0.bias").toDoubleArray(), seed);
        }
    }

    @Test
    void membersAreNpyFilesAsNpySaveWritesThem() throws Exception {
        // Independent check with the JDK's zip reader: member names and bytes are those of Npy.write.
        Map<String, Tensor> m = sample();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npz.write(out, m, true);
        try (ZipInputStream zin = new ZipInputStream(new java.io.ByteArrayInputStream(out.toByteArray()))) {
            for (Map.Entry<String, Tensor> e : m.entrySet()) {
                ZipEntry z = zin.getNextEntry();
                assertEquals(e.getKey() + ".npy", z.getName());
                ByteArrayOutputStream npy = new ByteArrayOutputStream();
                Npy.write(npy, e.getValue());
                assertArrayEquals(npy.toByteArray(), zin.readAllBytes());
            }
            assertEquals(null, zin.getNextEntry());
        }
    }

    @Test
    void emptyArchiveIsAnEmptyMap() throws Exception {
        Path f = dir.resolve("e.npz");
        Npz.write(f, Map.of());
        assertEquals(22, Files.size(f));
        assertTrue(Npz.read(f).isEmpty());
    }

    @Test
    void readsArchiveAsNumpySavezWritesIt() throws Exception {
        // force_zip64: a ZIP64 extra field with the real sizes in every local header.
        byte[] zip = new Fixtures.Zip().stored("a.npy", A).stored("b.npy", B).build();
        Map<String, Tensor> r = Npz.read(zip, "s.npz");
        assertEquals(List.of("a", "b"), List.copyOf(r.keySet()));
        assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, r.get("a").toDoubleArray());
        assertEquals(-7, r.get("b").get());
    }

    @Test
    void readsArchiveAsNumpySavezCompressedWritesIt() throws Exception {
        byte[] zip = new Fixtures.Zip().deflated("a.npy", A).deflated("b.npy", B).build();
        Map<String, Tensor> r = Npz.read(zip, "c.npz");
        assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, r.get("a").toDoubleArray());
        assertEquals(-7, r.get("b").get());
    }

    @Test
    void readsZip64CentralDirectoryFieldsAndEndRecord() throws Exception {
        // As zipfile writes members and archives over 4 GiB: 0xffffffff in the central directory with a
        // ZIP64 extra field, and the ZIP64 end record and locator.
        Fixtures.Zip z = new Fixtures.Zip();
        z.add(new Fixtures.Zip.Member("a.npy", 0, A, A, 0, true, true, false));
        z.add(new Fixtures.Zip.Member("b.npy", 8, B, Fixtures.deflate(B), 0, false, true, false));
        z.zip64End = true;
        Map<String, Tensor> r = Npz.read(z.build(), "z64.npz");
        assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, r.get("a").toDoubleArray());
        assertEquals(-7, r.get("b").get());
    }

    @Test
    void readsMembersWithDataDescriptors() throws Exception {
        // As zipfile writes to unseekable streams: sizes and CRC after the data, zeros in the local header.
        Fixtures.Zip z = new Fixtures.Zip();
        z.add(new Fixtures.Zip.Member("a.npy", 8, A, Fixtures.deflate(A), 0, true, false, true));
        z.add(new Fixtures.Zip.Member("b.npy", 0, B, B, 0, false, false, true));
        Map<String, Tensor> r = Npz.read(z.build(), "dd.npz");
        assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, r.get("a").toDoubleArray());
    }

    // ---- corrupt archives ----------------------------------------------------------------------

    @Test
    void everyTruncationIsAnError() {
        Fixtures.assertEveryTruncationFails(new Fixtures.Zip().stored("a.npy", A).stored("b.npy", B).build(),
                "t.npz", Npz::read);
        Fixtures.assertEveryTruncationFails(new Fixtures.Zip().deflated("a.npy", A).deflated("b.npy", B).build(),
                "t.npz", Npz::read);
        Fixtures.Zip z = new Fixtures.Zip().stored("a.npy", A);
        z.zip64End = true;
        Fixtures.assertEveryTruncationFails(z.build(), "t.npz", Npz::read);
    }

    @Test
    void everyByteFlipIsAnError() {
        // Every byte of these archives is checked: structure by the parser, data by CRC-32, the local
        // header's sizes are the only fields readers ignore (the central directory's are used), and the
        // DOS time and date and attributes.
        for (boolean deflated : new boolean[] {false, true}) {
            Fixtures.Zip z = new Fixtures.Zip();
            z.add(new Fixtures.Zip.Member("a.npy", deflated ? 8 : 0, A, deflated ? Fixtures.deflate(A) : A, 0,
                    false, false, false));
            byte[] good = z.build();
            int errors = 0;
            for (int i = 0; i < good.length; i++) {
                byte[] bad = good.clone();
                bad[i] ^= 0x10;
                try {
                    Map<String, Tensor> r = Npz.read(bad, "f.npz");
                    // Accepted flips must be in fields that do not affect the content.
                    assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, r.get("a").toDoubleArray(), "flip at " + i);
                } catch (TensorFormatException e) {
                    errors++;
                    assertTrue(e.getMessage().startsWith("f.npz: "), e.getMessage());
                }
            }
            assertTrue(errors > good.length - 60, errors + " errors of " + good.length);
        }
    }

    @Test
    void corruptStoredDataFailsTheCrcCheck() {
        byte[] zip = new Fixtures.Zip().stored("a.npy", A).build();
        int dataAt = 30 + 5 + 20 + 128 + 8; // local header, name, zip64 extra, npy header, first double
        zip[dataAt] ^= 1;
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> Npz.read(zip, "c.npz"));
        assertEquals("a.npy", e.entry());
        assertTrue(e.getMessage().startsWith("c.npz: member 'a.npy': offset 55: CRC-32 of the member's 176 bytes"
                + " is 0x"), e.getMessage());
    }

    @Test
    void forgedHugeShapeInAMemberIsRejectedBeforeAllocating() {
        byte[] forged = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }", new byte[64]);
        byte[] stored = new Fixtures.Zip().stored("w.npy", forged).build();
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> Npz.read(stored, "x.npz"));
        assertEquals("x.npz: member 'w.npy': offset 183: header claims shape (1000000, 1000000) of <f8 ="
                + " 8000000000000 bytes but only 64 bytes remain", e.getMessage());
        byte[] deflated = new Fixtures.Zip().deflated("w.npy", forged).build();
        e = assertThrows(TensorFormatException.class, () -> Npz.read(deflated, "x.npz"));
        assertEquals("x.npz: member 'w.npy': inflated offset 128: header claims shape (1000000, 1000000) of <f8 ="
                + " 8000000000000 bytes but only 64 bytes remain", e.getMessage());
    }

    @Test
    void declaredSizeBeyondTheDeflateLimitIsRejected() {
        // A 20-byte deflated member that claims to inflate to 2 GB (a zip bomb's claim): central size forged.
        Fixtures.Zip z = new Fixtures.Zip();
        z.add(new Fixtures.Zip.Member("w.npy", 8, A, Fixtures.deflate(A), 0, false, false, false));
        byte[] zip = z.build();
        int central = indexOf(zip, new byte[] {0x50, 0x4b, 0x01, 0x02});
        ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN).putInt(central + 24, 2_000_000_000);
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> Npz.read(zip, "b.npz"));
        assertTrue(e.getMessage().matches("b\\.npz: member 'w\\.npy': offset " + central + ": declares 2000000000"
                + " uncompressed bytes from \\d+ compressed bytes, more than deflate's maximum expansion of 1032:1"
                + " allows"), e.getMessage());
    }

    @Test
    void declaredSizeDisagreeingWithTheNpyHeaderIsAnError() {
        for (int delta : new int[] {-1, 1}) {
            Fixtures.Zip z = new Fixtures.Zip();
            z.add(new Fixtures.Zip.Member("w.npy", 8, A, Fixtures.deflate(A), 0, false, false, false));
            byte[] zip = z.build();
            int central = indexOf(zip, new byte[] {0x50, 0x4b, 0x01, 0x02});
            ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN).putInt(central + 24, A.length + delta);
            TensorFormatException e = assertThrows(TensorFormatException.class, () -> Npz.read(zip, "d.npz"));
            assertEquals(delta < 0
                    ? "d.npz: member 'w.npy': inflated offset 128: header claims shape (2, 3) of <f8 = 48 bytes but"
                    + " only 47 bytes remain"
                    : "d.npz: member 'w.npy': inflated offset 176: header claims shape (2, 3) of <f8 = 48 bytes but"
                    + " 1 more bytes follow the data", e.getMessage());
        }
    }

    @Test
    void deflateStreamShorterOrLongerThanDeclaredIsAnError() {
        // Size and CRC in the directory are those of A, but the stream inflates to 8 bytes less or more.
        byte[] shorter = Fixtures.deflate(java.util.Arrays.copyOf(A, A.length - 8));
        Fixtures.Zip z = new Fixtures.Zip().add(new Fixtures.Zip.Member("w.npy", 8, A, shorter, 0, false, false, false));
        assertEquals("d.npz: member 'w.npy': inflated offset 168: the deflate stream ends after 168 bytes but the zip"
                + " directory declares 176", assertThrows(TensorFormatException.class,
                () -> Npz.read(z.build(), "d.npz")).getMessage());
        byte[] longer = Fixtures.deflate(java.util.Arrays.copyOf(A, A.length + 8));
        Fixtures.Zip y = new Fixtures.Zip().add(new Fixtures.Zip.Member("w.npy", 8, A, longer, 0, false, false, false));
        assertEquals("d.npz: member 'w.npy': inflated offset 176: the deflate stream holds more than the 176 bytes"
                + " the zip directory declares", assertThrows(TensorFormatException.class,
                () -> Npz.read(y.build(), "d.npz")).getMessage());
    }

    @Test
    void corruptDeflatedDataIsAnError() {
        byte[] payload = Fixtures.deflate(A);
        payload[payload.length / 2] ^= 0x55;
        Fixtures.Zip z = new Fixtures.Zip().add(new Fixtures.Zip.Member("w.npy", 8, A, payload, 0, false, false, false));
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> Npz.read(z.build(), "d.npz"));
        assertTrue(e.getMessage().startsWith("d.npz: member 'w.npy': "), e.getMessage());
    }

    @Test
    void bytesAfterTheDeflateStreamAreAnError() {
        byte[] payload = Fixtures.concat(Fixtures.deflate(A), new byte[] {1, 2, 3});
        Fixtures.Zip z = new Fixtures.Zip();
        z.add(new Fixtures.Zip.Member("w.npy", 8, A, payload, 0, false, false, false));
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> Npz.read(z.build(), "d.npz"));
        assertTrue(e.getMessage().contains("3 bytes of compressed data follow the end of the deflate stream"),
                e.getMessage());
    }

    @Test
    void unsupportedOrInconsistentMembersAreNamedErrors() {
        assertMemberError(new Fixtures.Zip().stored("a.npy", A).stored("readme.txt", A), "readme.txt",
                "not an .npy member");
        assertMemberError(new Fixtures.Zip().stored("a.npy", A).stored("a.npy", B), "a.npy",
                "a second member of this name");
        assertMemberError(new Fixtures.Zip().add(new Fixtures.Zip.Member("e.npy", 0, A, A, 1, false, false, false)),
                "e.npy", "the member is encrypted");
        assertMemberError(new Fixtures.Zip().add(new Fixtures.Zip.Member("l.npy", 14, A, A, 0, false, false, false)),
                "l.npy", "compression method 14 is not supported");
        Fixtures.Zip renamed = new Fixtures.Zip().stored("a.npy", A);
        renamed.patch = b -> {
            b[30] = 'x'; // first byte of the name in the local header
            return b;
        };
        assertMemberError(renamed, "a.npy", "the local header names the member 'x.npy', the central directory 'a.npy'");
    }

    @Test
    void overlappingMembersAreRejected() {
        // Two central entries pointing at the same local header and data (the non-recursive zip bomb).
        Fixtures.Zip z = new Fixtures.Zip().stored("a.npy", A).stored("a.npy", A);
        z.patch = b -> {
            int first = indexOf(b, new byte[] {0x50, 0x4b, 0x01, 0x02});
            int second = indexOf(b, new byte[] {0x50, 0x4b, 0x01, 0x02}, first + 4);
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(second + 42, 0);
            return b;
        };
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> Npz.read(z.build(), "o.npz"));
        assertTrue(e.getMessage().contains("overlaps member 'a.npy'"), e.getMessage());
    }

    @Test
    void notAZipIsAnError() {
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> Npz.read(A, "n.npz"));
        assertEquals("n.npz: offset 154: no zip end of central directory record: not a zip archive (an .npz is a zip"
                + " archive of .npy files)", e.getMessage());
    }

    @Test
    void writeFailureLeavesNoPartialFile() {
        Tensor bad = Tensor.wrap(Tensor.of(new float[] {3}, 1).segment(), DType.BOOL, 4);
        Path f = dir.resolve("bad.npz");
        assertThrows(IllegalArgumentException.class, () -> Npz.write(f, Map.of("b", bad)));
        assertFalse(Files.exists(f));
    }

    @Test
    void unwritableTensorLeavesAnExistingFileAlone() throws Exception {
        Tensor bad = Tensor.wrap(Tensor.of(new float[] {3}, 1).segment(), DType.BOOL, 4);
        Path f = dir.resolve("keep.npz");
        Files.write(f, new byte[] {1, 2, 3});
        assertThrows(IllegalArgumentException.class, () -> Npz.writeCompressed(f, Map.of("b", bad)));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
    }

    private static void assertMemberError(Fixtures.Zip zip, String member, String expected) {
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> Npz.read(zip.build(), "m.npz"));
        assertEquals(member, e.entry());
        assertTrue(e.getMessage().startsWith("m.npz: member '" + member + "': offset "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    static int indexOf(byte[] b, byte[] what) {
        return indexOf(b, what, 0);
    }

    static int indexOf(byte[] b, byte[] what, int from) {
        outer:
        for (int i = from; i <= b.length - what.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (b[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
