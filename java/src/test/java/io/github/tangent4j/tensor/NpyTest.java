package io.github.tangent4j.tensor;

import static io.github.tangent4j.tensor.Fixtures.ascii;
import static io.github.tangent4j.tensor.Fixtures.assertSameTensor;
import static io.github.tangent4j.tensor.Fixtures.bytes;
import static io.github.tangent4j.tensor.Fixtures.concat;
import static io.github.tangent4j.tensor.Fixtures.doublesLe;
import static io.github.tangent4j.tensor.Fixtures.npy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class NpyTest {
    private static final String F8_2x3 = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";

    @TempDir
    Path dir;

    // ---- writing exactly what numpy.save writes -------------------------------------------------

    @Test
    void writesTheHeaderNumpySaveWrites() throws Exception {
        Tensor t = Tensor.of(new double[] {0, 1, 2, 3, 4, 5}, 2, 3);
        Path f = dir.resolve("a.npy");
        Npy.write(f, t);
        byte[] file = Files.readAllBytes(f);
        // numpy >= 1.23: the dict, 21 - len('2') = 20 spaces of room to grow axis 0, then spaces and a
        // newline up to 128 bytes; the 2-byte header length is 118.
        assertEquals(128 + 48, file.length);
        assertArrayEquals(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0}, Arrays.copyOf(file, 10));
        String header = new String(file, 10, 118, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertEquals(F8_2x3 + " ".repeat(117 - F8_2x3.length()) + "\n", header);
        assertArrayEquals(doublesLe(0, 1, 2, 3, 4, 5), Arrays.copyOfRange(file, 128, file.length));
    }

    @Test
    void writesScalarAndOneDimensionalShapesAsPythonTuples() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, Tensor.allocate(DType.F32, 3));
        String h = new String(out.toByteArray(), 10, 118, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(h.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }" + " ".repeat(20)), h);
        out.reset();
        Npy.write(out, Tensor.allocate(DType.I64));
        byte[] scalar = out.toByteArray();
        assertEquals(128 + 8, scalar.length);
        String s = new String(scalar, 10, 118, java.nio.charset.StandardCharsets.ISO_8859_1);
        // The dict is 55 characters; no growth room for a scalar; 62 spaces and a newline fill 118 bytes.
        assertEquals("{'descr': '<i8', 'fortran_order': False, 'shape': (), }" + " ".repeat(62) + "\n", s);
    }

    @Test
    void dataStartsAtAMultipleOf64ForLongShapes() throws Exception {
        long[] shape = new long[20];
        Arrays.fill(shape, 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, Tensor.allocate(DType.U8, shape));
        byte[] b = out.toByteArray();
        int headerLength = (b[8] & 0xff) | (b[9] & 0xff) << 8;
        assertEquals(0, (10 + headerLength) % 64);
        assertEquals('\n', b[10 + headerLength - 1]);
        assertEquals(b.length, 10 + headerLength + 1);
    }

    // ---- round trips --------------------------------------------------------------------------

    static Stream<Arguments> dtypesAndShapes() {
        long[][] shapes = {{}, {5}, {2, 3}, {0}, {2, 0, 3}, {3, 1, 2, 4}};
        return Arrays.stream(DType.values()).flatMap(d -> Arrays.stream(shapes).map(s -> Arguments.of(d, s)));
    }

    @ParameterizedTest
    @MethodSource("dtypesAndShapes")
    void roundTripsEveryDtypeAndShape(DType dtype, long[] shape) throws Exception {
        Tensor t = Fixtures.random(dtype, new Random(Arrays.hashCode(shape) + dtype.ordinal()), shape);
        Path f = dir.resolve("t.npy");
        Npy.write(f, t);
        assertSameTensor(t, Npy.read(f));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, t);
        assertArrayEquals(Files.readAllBytes(f), out.toByteArray());
        assertSameTensor(t, Npy.read(out.toByteArray(), "mem.npy"));
    }

    // ---- files as NumPy (and other writers) lay them out -------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void readsEveryFormatVersion(int major) throws Exception {
        byte[] file = npy(major, F8_2x3, 64, doublesLe(0, 1, 2, 3, 4, 5));
        Tensor t = Npy.read(file, "v.npy");
        assertEquals(DType.F64, t.dtype());
        assertArrayEquals(new long[] {2, 3}, t.shape());
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(3 * i + j, t.get(i, j));
            }
        }
    }

    @Test
    void readsUtf8HeaderOfVersion3() throws Exception {
        // NumPy writes version 3.0 only for non-Latin-1 structured field names, which are unsupported; a
        // 3.0 header of a plain dtype is read like any other, after checking that it is valid UTF-8.
        byte[] file = npy(3, "{\"descr\": \"<i4\", \"fortran_order\": False, \"shape\": (2,)}", 64,
                bytes(ByteOrder.LITTLE_ENDIAN, 4, 7, -8));
        Tensor t = Npy.read(file, "v3.npy");
        assertArrayEquals(new double[] {7, -8}, t.toDoubleArray());
    }

    @Test
    void readsFortranOrderTransposedIntoCOrder() throws Exception {
        // v[i][j][k] = 100 i + 10 j + k stored column-major: i varies fastest.
        long[] values = new long[24];
        int n = 0;
        for (int k = 0; k < 4; k++) {
            for (int j = 0; j < 3; j++) {
                for (int i = 0; i < 2; i++) {
                    values[n++] = 100 * i + 10 * j + k;
                }
            }
        }
        for (String descr : new String[] {"<i4", ">i4", "<i8", ">i8"}) {
            int size = descr.charAt(2) - '0';
            ByteOrder order = descr.charAt(0) == '<' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
            byte[] file = npy("{'descr': '" + descr + "', 'fortran_order': True, 'shape': (2, 3, 4), }",
                    bytes(order, size, values));
            Tensor t = Npy.read(file, "f.npy");
            assertEquals(size == 4 ? DType.I32 : DType.I64, t.dtype());
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    for (int k = 0; k < 4; k++) {
                        assertEquals(100 * i + 10 * j + k, t.get(i, j, k), descr + " at " + i + j + k);
                    }
                }
            }
        }
    }

    @Test
    void readsFortranOrderMatrixOfDoubles() throws Exception {
        // [[1, 2, 3], [4, 5, 6]] column-major is 1 4 2 5 3 6.
        byte[] file = npy("{'descr': '>f8', 'fortran_order': True, 'shape': (2, 3), }",
                bytes(ByteOrder.BIG_ENDIAN, 8, Arrays.stream(new double[] {1, 4, 2, 5, 3, 6})
                        .mapToLong(Double::doubleToRawLongBits).toArray()));
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, Npy.read(file, "m.npy").toDoubleArray());
    }

    @Test
    void convertsBigEndianFloatsExactly() throws Exception {
        float[] v = {1.5f, -0f, Float.MIN_VALUE, Float.NaN, Float.POSITIVE_INFINITY};
        long[] bits = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            bits[i] = Float.floatToRawIntBits(v[i]);
        }
        Tensor t = Npy.read(npy("{'descr': '>f4', 'fortran_order': False, 'shape': (5,), }",
                bytes(ByteOrder.BIG_ENDIAN, 4, bits)), "be.npy");
        assertEquals(DType.F32, t.dtype());
        float[] got = t.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            assertEquals(Float.floatToRawIntBits(v[i]), Float.floatToRawIntBits(got[i]));
        }
    }

    @Test
    void acceptsByteTypeSpellingsAndPythonLiteralVariants() throws Exception {
        byte[] data = {0, 1, 1};
        assertEquals(DType.U8, Npy.read(npy("{'descr': '<u1', 'fortran_order': False, 'shape': (3,), }", data),
                "u.npy").dtype());
        assertEquals(DType.BOOL, Npy.read(npy("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", data),
                "b.npy").dtype());
        // Python 2 long literals (old NumPy), double quotes, another key order, no trailing comma, 16-byte
        // alignment of old NumPy versions.
        Tensor t = Npy.read(npy(1, "{\"shape\": (1L, 3L), \"fortran_order\": False, \"descr\": \"|u1\"}", 16, data),
                "old.npy");
        assertArrayEquals(new long[] {1, 3}, t.shape());
        assertArrayEquals(new double[] {0, 1, 1}, t.toDoubleArray());
    }

    // ---- corrupt files ----------------------------------------------------------------------

    @Test
    void everyTruncationIsAnError() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2));
        Fixtures.assertEveryTruncationFails(out.toByteArray(), "t.npy", Npy::read);
        Fixtures.assertEveryTruncationFails(npy(2, F8_2x3, 64, doublesLe(0, 1, 2, 3, 4, 5)), "t2.npy", Npy::read);
    }

    @Test
    void forgedHugeShapeIsRejectedBeforeAllocating() {
        byte[] file = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }", new byte[64]);
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> Npy.read(file, "x.npy"));
        assertEquals("x.npy: offset 128: header claims shape (1000000, 1000000) of <f8 = 8000000000000 bytes but"
                + " only 64 bytes remain", e.getMessage());
        assertEquals(128, e.offset());
        assertEquals(null, e.entry());
    }

    @Test
    void shapeWhoseByteSizeOverflowsIsAnError() {
        byte[] file = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }",
                new byte[0]);
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> Npy.read(file, "o.npy"));
        assertTrue(e.getMessage().matches("o\\.npy: offset \\d+: shape \\(4611686018427387904, 4\\) of <f8 has more"
                + " than 9223372036854775807 bytes"), e.getMessage());
        byte[] tooLong = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }",
                new byte[0]);
        assertTrue(assertThrows(TensorFormatException.class, () -> Npy.read(tooLong, "o.npy")).getMessage()
                .contains("does not fit in a 64-bit integer"));
    }

    @Test
    void trailingBytesAfterTheDataAreAnError() {
        byte[] file = concat(npy(F8_2x3, doublesLe(0, 1, 2, 3, 4, 5)), new byte[3]);
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> Npy.read(file, "t.npy"));
        assertEquals("t.npy: offset 176: header claims shape (2, 3) of <f8 = 48 bytes but 3 more bytes follow"
                + " the data", e.getMessage());
    }

    static Stream<Arguments> corruptHeaders() {
        return Stream.of(
                Arguments.of("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", "unsupported dtype '<f2'"),
                Arguments.of("{'descr': '|i1', 'fortran_order': False, 'shape': (2,), }", "unsupported dtype '|i1'"),
                Arguments.of("{'descr': '=f8', 'fortran_order': False, 'shape': (2,), }", "unsupported dtype '=f8'"),
                Arguments.of("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,), }",
                        "structured dtypes are not supported"),
                Arguments.of("{'descr': '<f8', 'fortran_order': False, }", "has no key 'shape'"),
                Arguments.of("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': 1, }",
                        "unexpected key 'x'"),
                Arguments.of("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
                        "key 'descr' appears twice"),
                Arguments.of("{'descr': '<f8', 'fortran_order': 0, 'shape': (2,), }",
                        "fortran_order must be True or False"),
                Arguments.of("{'descr': '<f8', 'fortran_order': False, 'shape': (-2,), }",
                        "expected a non-negative integer dimension but found '-'"),
                Arguments.of("{'descr': '<f8', 'fortran_order': False, 'shape': (2), }", "shape must be a tuple"),
                Arguments.of("{'descr': '<f8', 'fortran_order': False, 'shape': [2], }", "expected '(' to start"),
                Arguments.of("{'descr': '<f8', 'fortran_order': False, 'shape': (02,), }", "leading zero"),
                Arguments.of("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), } x",
                        "expected only spaces between the header dict and the final newline but found 'x'"),
                Arguments.of("{'descr': '<f8' 'fortran_order': False, 'shape': (2,), }",
                        "expected ',' or '}' in the header dict"),
                Arguments.of("{'descr: '<f8', 'fortran_order': False, 'shape': (2,), }", "expected ':'"));
    }

    @ParameterizedTest
    @MethodSource("corruptHeaders")
    void corruptHeaderIsANamedError(String dict, String expected) {
        byte[] file = npy(dict, new byte[16]);
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> Npy.read(file, "h.npy"));
        assertTrue(e.getMessage().startsWith("h.npy: offset "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        // The offset points into the header (bytes 10 .. 10 + header length).
        assertTrue(e.offset() >= 10 && e.offset() < file.length - 16, e.getMessage());
    }

    @Test
    void tooManyDimensionsIsAnError() {
        String shape = "(" + "1, ".repeat(65) + ")";
        byte[] file = npy("{'descr': '<f8', 'fortran_order': False, 'shape': " + shape + ", }", new byte[8]);
        assertTrue(assertThrows(TensorFormatException.class, () -> Npy.read(file, "r.npy")).getMessage()
                .contains("more than 64 dimensions"));
        long[] s = new long[65];
        Arrays.fill(s, 1);
        assertThrows(IllegalArgumentException.class, () -> Npy.write(new ByteArrayOutputStream(),
                Tensor.allocate(DType.U8, s)));
    }

    @Test
    void badPreambleIsAnError() {
        byte[] good = npy(F8_2x3, doublesLe(0, 1, 2, 3, 4, 5));
        byte[] magic = good.clone();
        magic[1] = 'X';
        assertEquals("m.npy: offset 1: not an .npy file: byte 1 is 0x58 but the magic string is \\x93NUMPY",
                assertThrows(TensorFormatException.class, () -> Npy.read(magic, "m.npy")).getMessage());
        byte[] version = good.clone();
        version[6] = 4;
        assertEquals("m.npy: offset 6: unsupported .npy format version 4.0 (supported: 1.0, 2.0, 3.0)",
                assertThrows(TensorFormatException.class, () -> Npy.read(version, "m.npy")).getMessage());
        byte[] length = good.clone();
        length[8] = (byte) 0xff;
        length[9] = (byte) 0xff;
        assertEquals("m.npy: offset 8: header length field says 65535 bytes but only 166 remain",
                assertThrows(TensorFormatException.class, () -> Npy.read(length, "m.npy")).getMessage());
        byte[] newline = good.clone();
        newline[127] = ' ';
        assertEquals("m.npy: offset 127: the header must end with a newline but ends with ' '",
                assertThrows(TensorFormatException.class, () -> Npy.read(newline, "m.npy")).getMessage());
    }

    @Test
    void invalidUtf8InVersion3HeaderIsAnError() {
        byte[] file = npy(3, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 64, new byte[16]);
        file[20] = (byte) 0xff;
        assertTrue(assertThrows(TensorFormatException.class, () -> Npy.read(file, "u.npy")).getMessage()
                .contains("not valid UTF-8"));
    }

    @Test
    void booleanBytesOtherThanZeroAndOneAreErrors() {
        byte[] file = npy("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", new byte[] {1, 2, 0});
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> Npy.read(file, "b.npy"));
        assertEquals("b.npy: offset 129: boolean element holds byte 0x02, expected 0 or 1", e.getMessage());
        Tensor bad = Tensor.allocate(DType.U8, 2);
        bad.setFlat(1, 7);
        Tensor asBool = Tensor.wrap(bad.segment(), DType.BOOL, 2);
        assertThrows(IllegalArgumentException.class, () -> Npy.write(new ByteArrayOutputStream(), asBool));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void everySingleByteFlipInTheHeaderIsAnErrorOrStillAValidRead(DType dtype) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Tensor t = Fixtures.random(dtype, new Random(1), 2, 3);
        Npy.write(out, t);
        byte[] good = out.toByteArray();
        for (int i = 0; i < 128; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x41;
            try {
                // No flip by 0x41 keeps the header valid: padding must stay spaces, and every other byte
                // changes a magic, version, length, key, value or delimiter.
                Tensor r = Npy.read(bad, "f.npy");
                fail("flip at " + i + " was accepted as " + r);
            } catch (TensorFormatException e) {
                assertTrue(e.getMessage().startsWith("f.npy: offset "), e.getMessage());
            }
        }
    }

    @Test
    void writeFailureLeavesNoPartialFile() throws Exception {
        Tensor bad = Tensor.wrap(Tensor.of(new float[] {3}, 1).segment(), DType.BOOL, 4);
        Path f = dir.resolve("bad.npy");
        assertThrows(IllegalArgumentException.class, () -> Npy.write(f, bad));
        assertFalse(Files.exists(f));
    }

    @Test
    void readFromPathNamesThePath() throws Exception {
        Path f = dir.resolve("short.npy");
        Files.write(f, ascii("\u0093NUMPY"));
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> Npy.read(f));
        assertEquals(f.toString(), e.file());
        assertTrue(e.getMessage().startsWith(f + ": offset 0: truncated"), e.getMessage());
    }
}
