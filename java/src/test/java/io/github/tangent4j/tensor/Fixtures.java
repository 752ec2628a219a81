package io.github.tangent4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** Hand-made file bytes, laid out as NumPy, Python's zipfile and the safetensors package write them. */
final class Fixtures {
    private Fixtures() {
    }

    /**
     * An .npy file whose header is {@code dict} padded with spaces and a newline as NumPy pads it (to a
     * multiple of {@code align} bytes), version {@code major}.0, followed by {@code data}.
     */
    static byte[] npy(int major, String dict, int align, byte[] data) {
        int prefix = 8 + (major == 1 ? 2 : 4);
        byte[] text = dict.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int pad = align - (prefix + text.length + 1) % align;
        ByteBuffer b = ByteBuffer.allocate(prefix + text.length + pad + 1 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            b.putShort((short) (text.length + pad + 1));
        } else {
            b.putInt(text.length + pad + 1);
        }
        b.put(text);
        for (int i = 0; i < pad; i++) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n').put(data);
        return b.array();
    }

    static byte[] npy(String dict, byte[] data) {
        return npy(1, dict, 64, data);
    }

    static byte[] doublesLe(double... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) {
            b.putDouble(x);
        }
        return b.array();
    }

    static byte[] bytes(ByteOrder order, int size, long... v) {
        ByteBuffer b = ByteBuffer.allocate(size * v.length).order(order);
        for (long x : v) {
            switch (size) {
                case 1 -> b.put((byte) x);
                case 4 -> b.putInt((int) x);
                case 8 -> b.putLong(x);
                default -> throw new IllegalArgumentException("size " + size);
            }
        }
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A tensor of {@code dtype} and {@code shape} filled with random values valid for the type. */
    static Tensor random(DType dtype, Random rnd, long... shape) {
        Tensor t = Tensor.allocate(dtype, shape);
        MemorySegment s = t.segment();
        for (long i = 0; i < s.byteSize(); i++) {
            s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt(256));
        }
        if (dtype == DType.BOOL) {
            for (long i = 0; i < s.byteSize(); i++) {
                s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt(2));
            }
        }
        return t;
    }

    /** Asserts equal dtype, shape and element bytes. */
    static void assertSameTensor(Tensor expected, Tensor actual) {
        assertEquals(expected.dtype(), actual.dtype(), "dtype");
        assertEquals(Shapes.format(expected.shape()), Shapes.format(actual.shape()), "shape");
        assertEquals(-1, expected.segment().mismatch(actual.segment()), "element bytes");
    }

    /**
     * Cuts {@code valid} at every length from 0 to length-1 and asserts that {@code read} throws a
     * TensorFormatException naming {@code name} each time, and nothing else.
     */
    static void assertEveryTruncationFails(byte[] valid, String name, ThrowingReader read) {
        for (int n = 0; n < valid.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(valid, n);
            try {
                Object result = read.read(cut, name);
                fail("truncated to " + n + " of " + valid.length + " bytes but read " + result);
            } catch (TensorFormatException e) {
                assertTrue(e.getMessage().startsWith(name + ": "), e.getMessage());
                assertEquals(name, e.file());
            } catch (Throwable t) {
                throw new AssertionError("truncated to " + n + " bytes: expected TensorFormatException but got " + t, t);
            }
        }
    }

    /** A reader of in-memory bytes. */
    interface ThrowingReader {
        Object read(byte[] bytes, String name) throws Exception;
    }

    /** Raw deflate (no zlib wrapper), as zip members store it. */
    static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return out.toByteArray();
    }

    static long crc32(byte[] data) {
        CRC32 c = new CRC32();
        c.update(data);
        return c.getValue();
    }

    /**
     * A zip archive written byte by byte. Options reproduce what Python's zipfile (used by numpy.savez)
     * writes: a ZIP64 extra field in the local header with the real sizes ({@code force_zip64}); for
     * members over 4 GiB also 0xffffffff sizes in the central directory with a ZIP64 extra field, and the
     * ZIP64 end record and locator.
     */
    static final class Zip {
        /** One member; {@code payload} is what is stored in the file (deflated or not). */
        record Member(String name, int method, byte[] data, byte[] payload, int flags, boolean zip64Local,
                      boolean zip64Central, boolean dataDescriptor) {
        }

        final List<Member> members = new ArrayList<>();
        boolean zip64End;
        Function<byte[], byte[]> patch = Function.identity();

        Zip stored(String name, byte[] data) {
            members.add(new Member(name, 0, data, data, 0, true, false, false));
            return this;
        }

        Zip deflated(String name, byte[] data) {
            members.add(new Member(name, 8, data, deflate(data), 0, true, false, false));
            return this;
        }

        Zip add(Member m) {
            members.add(m);
            return this;
        }

        byte[] build() {
            ByteBuffer b = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            List<Integer> offsets = new ArrayList<>();
            for (Member m : members) {
                offsets.add(b.position());
                byte[] name = m.name().getBytes(StandardCharsets.UTF_8);
                boolean dd = m.dataDescriptor();
                b.putInt(0x04034b50).putShort((short) (m.zip64Local() ? 45 : 20)).putShort((short) (m.flags() | (dd ? 8 : 0)))
                        .putShort((short) m.method()).putShort((short) 0).putShort((short) 0x21)
                        .putInt(dd ? 0 : (int) crc32(m.data()))
                        .putInt(dd ? 0 : m.payload().length).putInt(dd ? 0 : m.data().length)
                        .putShort((short) name.length).putShort((short) (m.zip64Local() ? 20 : 0)).put(name);
                if (m.zip64Local()) {
                    b.putShort((short) 1).putShort((short) 16).putLong(dd ? 0 : m.data().length)
                            .putLong(dd ? 0 : m.payload().length);
                }
                b.put(m.payload());
                if (dd) {
                    b.putInt(0x08074b50).putInt((int) crc32(m.data()));
                    if (m.zip64Local()) {
                        b.putLong(m.payload().length).putLong(m.data().length);
                    } else {
                        b.putInt(m.payload().length).putInt(m.data().length);
                    }
                }
            }
            int cdOffset = b.position();
            for (int i = 0; i < members.size(); i++) {
                Member m = members.get(i);
                byte[] name = m.name().getBytes(StandardCharsets.UTF_8);
                boolean z = m.zip64Central();
                b.putInt(0x02014b50).putShort((short) 0x0314).putShort((short) (z ? 45 : 20))
                        .putShort((short) (m.flags() | (m.dataDescriptor() ? 8 : 0))).putShort((short) m.method())
                        .putShort((short) 0).putShort((short) 0x21).putInt((int) crc32(m.data()))
                        .putInt(z ? -1 : m.payload().length).putInt(z ? -1 : m.data().length)
                        .putShort((short) name.length).putShort((short) (z ? 28 : 0)).putShort((short) 0)
                        .putShort((short) 0).putShort((short) 0).putInt(0600 << 16).putInt(z ? -1 : offsets.get(i))
                        .put(name);
                if (z) {
                    b.putShort((short) 1).putShort((short) 24).putLong(m.data().length).putLong(m.payload().length)
                            .putLong(offsets.get(i));
                }
            }
            int cdSize = b.position() - cdOffset;
            if (zip64End) {
                int recordAt = b.position();
                b.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
                        .putLong(members.size()).putLong(members.size()).putLong(cdSize).putLong(cdOffset);
                b.putInt(0x07064b50).putInt(0).putLong(recordAt).putInt(1);
                b.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) -1).putShort((short) -1)
                        .putInt(-1).putInt(-1).putShort((short) 0);
            } else {
                b.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) members.size())
                        .putShort((short) members.size()).putInt(cdSize).putInt(cdOffset).putShort((short) 0);
            }
            return patch.apply(java.util.Arrays.copyOf(b.array(), b.position()));
        }
    }
}
