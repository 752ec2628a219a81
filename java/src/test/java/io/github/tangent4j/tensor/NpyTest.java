package io.github.tangent4j.tensor;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NpyTest {
    @TempDir
    Path dir;

    static Tensor random(DType t, long seed, long... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor x = Tensor.allocate(t, shape);
        for (long i = 0; i < x.size(); i++) {
            x.setFlat(i, switch (t) {
                case F32, F64 -> r.nextGaussian() * 1e3;
                case I32 -> r.nextInt();
                case I64 -> r.nextLong(-(1L << 52), 1L << 52);
                case U8 -> r.nextInt(256);
                case BOOL -> r.nextInt(2);
            });
        }
        return x;
    }

    static void assertSameTensor(Tensor a, Tensor b) {
        assertEquals(a.dtype(), b.dtype());
        assertArrayEquals(a.shape(), b.shape());
        assertEquals(a.segment().mismatch(b.segment()), -1, "contents differ");
    }

    private Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void roundTripsEveryDtypeAndRank(DType t) throws IOException {
        for (long[] shape : new long[][] {{}, {7}, {3, 5}, {2, 3, 4}, {0, 3}, {4, 0}}) {
            Tensor x = random(t, 3, shape);
            Path p = dir.resolve("x.npy");
            Npy.write(p, x);
            assertSameTensor(x, Npy.read(p));
            assertEquals(0, (Files.size(p) - x.byteSize()) % 64, "data starts at a multiple of 64");
        }
    }

    @Test
    void readsTheBytesNumPyWrites() throws IOException {
        // np.save("a.npy", np.arange(6.0).reshape(2, 3))
        byte[] bytes = Fixtures.npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }",
                Fixtures.doubles(LITTLE_ENDIAN, 0, 1, 2, 3, 4, 5));
        assertEquals(128 + 48, bytes.length);
        Tensor t = Npy.read(file("a.npy", bytes));
        assertArrayEquals(new long[] {2, 3}, t.shape());
        assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, t.toDoubleArray());
        // Our writer produces the identical bytes.
        Npy.write(dir.resolve("b.npy"), t);
        assertArrayEquals(bytes, Files.readAllBytes(dir.resolve("b.npy")));
    }

    @Test
    void readsVersionsTwoAndThreeAndScalarsAndOneDimensionalShapes() throws IOException {
        Tensor v2 = Npy.read(file("v2.npy", Fixtures.npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }",
                Fixtures.floats(LITTLE_ENDIAN, 1.5f, -2, 3))));
        assertArrayEquals(new float[] {1.5f, -2, 3}, v2.toFloatArray());
        Tensor v3 = Npy.read(file("v3.npy", Fixtures.npy(3, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }",
                Fixtures.doubles(LITTLE_ENDIAN, 42))));
        assertEquals(0, v3.rank());
        assertEquals(42, v3.getFlat(0));
    }

    @Test
    void fortranOrderIsReturnedInCOrder() throws IOException {
        // np.asfortranarray(np.arange(6.0).reshape(2, 3)): memory holds columns: 0 3 1 4 2 5.
        Tensor t = Npy.read(file("f.npy", Fixtures.npy(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }",
                Fixtures.doubles(LITTLE_ENDIAN, 0, 3, 1, 4, 2, 5))));
        assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, t.toDoubleArray());
        // Rank 3: element (i, j, k) sits at i + 2 j + 6 k in Fortran order.
        double[] f = new double[24];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) {
                    f[i + 2 * j + 6 * k] = 100 * i + 10 * j + k;
                }
            }
        }
        Tensor c = Npy.read(file("f3.npy", Fixtures.npy(1, "{'descr': '>f8', 'fortran_order': True, 'shape': (2, 3, 4), }",
                Fixtures.doubles(BIG_ENDIAN, f))));
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) {
                    assertEquals(100 * i + 10 * j + k, c.get(i, j, k));
                }
            }
        }
    }

    @Test
    void bigEndianFloatsAndIntegersAndBooleans() throws IOException {
        Tensor be = Npy.read(file("be.npy", Fixtures.npy(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }",
                Fixtures.floats(BIG_ENDIAN, 1.25f, -7))));
        assertArrayEquals(new float[] {1.25f, -7}, be.toFloatArray());
        Tensor b = Npy.read(file("b.npy", Fixtures.npy(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }",
                new byte[] {0, 1, 1})));
        assertEquals(DType.BOOL, b.dtype());
        assertArrayEquals(new double[] {0, 1, 1}, b.toDoubleArray());
        Tensor u = Npy.read(file("u.npy", Fixtures.npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }",
                new byte[] {(byte) 255, 7})));
        assertArrayEquals(new double[] {255, 7}, u.toDoubleArray());
    }

    @Test
    void truncationAtEveryByteIsANamedError() throws IOException {
        Npy.write(dir.resolve("ok.npy"), random(DType.F64, 1, 3, 2));
        byte[] ok = Files.readAllBytes(dir.resolve("ok.npy"));
        for (int n = 0; n < ok.length; n++) {
            Path p = file("t.npy", Arrays.copyOf(ok, n));
            var e = assertThrows(TensorFormatException.class, () -> Npy.read(p), "length " + n);
            assertTrue(e.getMessage().startsWith(p.toString() + ": "), e.getMessage());
            assertTrue(e.offset() >= 0 && e.offset() <= n, "offset " + e.offset() + " for length " + n);
        }
        Path extra = file("x.npy", Arrays.copyOf(ok, ok.length + 3));
        var e = assertThrows(TensorFormatException.class, () -> Npy.read(extra));
        assertTrue(e.getMessage().contains("trailing"), e.getMessage());
    }

    @Test
    void forgedHugeShapeIsRejectedBeforeAllocating() throws IOException {
        Path p = file("huge.npy", Fixtures.npy(1,
                "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }", new byte[16]));
        var e = assertThrows(TensorFormatException.class, () -> Npy.read(p));
        assertTrue(e.getMessage().contains("(1000000, 1000000)") && e.getMessage().contains("8000000000000 bytes")
                && e.getMessage().contains("offset 128"), e.getMessage());
        Path overflow = file("o.npy", Fixtures.npy(1,
                "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", new byte[0]));
        var o = assertThrows(TensorFormatException.class, () -> Npy.read(overflow));
        assertTrue(o.getMessage().contains("64 bits"), o.getMessage());
    }

    @Test
    void malformedHeadersNameTheField() throws IOException {
        String[][] cases = {
            {"{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", "'<f2'"},
            {"{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,), }", "structured"},
            {"{'descr': '<f8', 'fortran_order': Maybe, 'shape': (2,), }", "fortran_order"},
            {"{'descr': '<f8', 'fortran_order': False, 'shape': (2), }", "trailing comma"},
            {"{'descr': '<f8', 'fortran_order': False, 'shape': (-2,), }", "shape"},
            {"{'descr': '<f8', 'fortran_order': False, }", "missing key 'shape'"},
            {"{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': 1}", "unexpected key 'x'"},
            {"{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", "duplicate"},
        };
        for (String[] c : cases) {
            Path p = file("m.npy", Fixtures.npy(1, c[0], new byte[16]));
            var e = assertThrows(TensorFormatException.class, () -> Npy.read(p), c[0]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
            assertTrue(e.offset() >= 10, e.getMessage());
        }
        byte[] bad = Fixtures.npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", new byte[16]);
        bad[6] = 4;
        Path v = file("v.npy", bad);
        var e = assertThrows(TensorFormatException.class, () -> Npy.read(v));
        assertTrue(e.getMessage().contains("version 4.0") && e.getMessage().contains("offset 6"), e.getMessage());
    }

    @Test
    void everySingleByteCorruptionEitherReadsOrFailsCleanly() throws IOException {
        Tensor x = random(DType.F32, 9, 2, 3);
        Npy.write(dir.resolve("ok.npy"), x);
        byte[] ok = Files.readAllBytes(dir.resolve("ok.npy"));
        for (int i = 0; i < ok.length; i++) {
            for (int v : new int[] {0, 0xff, ok[i] ^ 0x20}) {
                byte[] b = ok.clone();
                b[i] = (byte) v;
                Path p = file("c.npy", b);
                try {
                    Tensor t = Npy.read(p);
                    assertTrue(t.byteSize() <= b.length);
                } catch (TensorFormatException expected) {
                    assertTrue(expected.getMessage().startsWith(p.toString()));
                }
            }
        }
    }
}
