package io.github.tangent4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MappedNpyTest {
    @TempDir
    Path dir;

    static Stream<Arguments> cases() {
        return Stream.of(DType.values()).flatMap(d -> Stream.of(
                Arguments.of(d, new long[] {1000, 3}),
                Arguments.of(d, new long[] {7}),
                Arguments.of(d, new long[] {}),
                Arguments.of(d, new long[] {0, 5}),
                Arguments.of(d, new long[] {2, 3, 4, 5})));
    }

    private static double value(DType d, SplittableRandom rng) {
        return switch (d) {
            case F32, F64 -> rng.nextGaussian() * 1e3;
            case I32 -> rng.nextInt();
            case I64 -> rng.nextLong(1L << 52);
            case U8 -> rng.nextInt(256);
            case BOOL -> rng.nextInt(2);
        };
    }

    /** Filled tile by tile through the mapping, the file holds exactly what Npy.write writes, and reads back. */
    @ParameterizedTest
    @MethodSource("cases")
    void theMappedFileHoldsTheBytesNpyWriteWrites(DType dtype, long[] shape) throws IOException {
        Tensor expected = Tensor.allocate(dtype, shape);
        SplittableRandom rng = new SplittableRandom(dtype.ordinal() * 97L + shape.length);
        for (long i = 0; i < expected.size(); i++) {
            expected.setFlat(i, value(dtype, rng));
        }
        Path mapped = dir.resolve("mapped.npy");
        try (MappedNpy out = Npy.create(mapped, dtype, shape)) {
            assertEquals(dtype, out.tensor().dtype());
            assertArrayEquals(shape, out.tensor().shape());
            if (shape.length == 0) {
                out.tensor().copyFrom(expected);
            } else {
                for (long from = 0; from < shape[0]; from += 300) {   // in tiles of rows, as a tiler would
                    long to = Math.min(shape[0], from + 300);
                    out.tensor().slice(from, to).copyFrom(expected.slice(from, to));
                }
            }
            out.force();
        }
        Path written = dir.resolve("written.npy");
        Npy.write(written, expected);
        assertArrayEquals(Files.readAllBytes(written), Files.readAllBytes(mapped));
        Tensor back = Npy.read(mapped);
        assertArrayEquals(shape, back.shape());
        for (long i = 0; i < back.size(); i++) {
            assertEquals(expected.getFlat(i), back.getFlat(i));
        }
    }

    @Test
    void anUnfilledFileIsZerosAndTheTensorIsUnusableAfterClose() throws IOException {
        Path file = dir.resolve("z.npy");
        Tensor t;
        try (MappedNpy out = Npy.create(file, DType.F64, 4, 2)) {
            t = out.tensor();
        }
        Tensor back = Npy.read(file);
        for (long i = 0; i < back.size(); i++) {
            assertEquals(0.0, back.getFlat(i));
        }
        assertThrows(IllegalStateException.class, () -> t.getFlat(0));
    }

    @Test
    void aFileTruncatedUnderTheMappingFailsAsAnErrorNotACrash() throws IOException {
        Path file = dir.resolve("t.npy");
        try (MappedNpy out = Npy.create(file, DType.F64, 1 << 16, 4)) {
            try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(128);   // another program cuts the file: the mapped pages are gone (SIGBUS)
            }
            Tensor t = out.tensor();
            InternalError e = assertThrows(InternalError.class, () -> t.copyFrom(Tensor.allocate(DType.F64, 1 << 16, 4)));
            assertEquals(true, e.getMessage().contains("unsafe memory access"), e.getMessage());
        }
    }

    /** Npy.map gives what Npy.read gives, mapped when the layout allows, read otherwise. */
    @ParameterizedTest
    @MethodSource("cases")
    void mapReadsWhatReadReads(DType dtype, long[] shape) throws IOException {
        Tensor t = Tensor.allocate(dtype, shape);
        SplittableRandom rng = new SplittableRandom(7);
        for (long i = 0; i < t.size(); i++) {
            t.setFlat(i, value(dtype, rng));
        }
        Path file = dir.resolve("m.npy");
        Npy.write(file, t);
        Tensor mapped = Npy.map(file);
        assertEquals(dtype, mapped.dtype());
        assertArrayEquals(shape, mapped.shape());
        for (long i = 0; i < t.size(); i++) {
            assertEquals(t.getFlat(i), mapped.getFlat(i));
        }
        if (t.size() > 0) {
            assertEquals(true, mapped.segment().isReadOnly(), "numpy.save's layout is mapped, not copied");
        }
    }

    @Test
    void mapChecksLikeReadAndReadsOtherLayouts() throws IOException {
        Path file = dir.resolve("b.npy");
        Npy.write(file, Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
        byte[] b = Files.readAllBytes(file);
        // Fortran order: the same bytes as the transpose, read (copied) into C order.
        String header = new String(b, 0, 128, java.nio.charset.StandardCharsets.ISO_8859_1)
                .replace("'fortran_order': False", "'fortran_order': True ");
        byte[] fortran = b.clone();
        System.arraycopy(header.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 0, fortran, 0, 128);
        Files.write(file, fortran);
        Tensor f = Npy.map(file);
        assertEquals(Npy.read(file).toString(), f.toString());
        assertArrayEquals(Npy.read(file).toDoubleArray(), f.toDoubleArray());
        assertEquals(false, f.segment().isReadOnly());
        // Trailing bytes are an error, as for read.
        Files.write(file, Arrays.copyOf(b, b.length + 1));
        assertThrows(TensorFormatException.class, () -> Npy.map(file));
    }

    @Test
    void badShapesAreRejectedBeforeTheFileIsCreated() {
        Path file = dir.resolve("bad.npy");
        assertThrows(IllegalArgumentException.class, () -> Npy.create(file, DType.F64, 3, -1));
        assertThrows(IllegalArgumentException.class, () -> Npy.create(file, DType.F64, new long[65]));
        assertEquals(false, Files.exists(file));
    }
}
