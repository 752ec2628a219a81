package io.github.tangent4j.tensor;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads and writes the {@code .npy} format (versions 1.0, 2.0 and 3.0) on streams, for {@link Npy}
 * and {@link Npz}. Every problem becomes a {@link TensorFormatException} with the byte offset from
 * the start of the {@code .npy} data; sizes claimed by the header are checked against what the
 * source can hold before anything is allocated.
 */
final class NpyCodec {
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Headers longer than this are rejected (NumPy itself refuses headers over 10000 bytes by default). */
    static final int MAX_HEADER = 1 << 20;
    private static final int CHUNK = 1 << 16;

    private NpyCodec() {
    }

    /** Where a stream came from, for messages. */
    record Origin(String file, String entry) {
        TensorFormatException error(long offset, String problem) {
            return new TensorFormatException(file, entry, offset, problem);
        }

        TensorFormatException error(long offset, String problem, Throwable cause) {
            return new TensorFormatException(file, entry, offset, problem, cause);
        }
    }

    /**
     * Reads one array.
     *
     * @param r         the stream, positioned at the magic string
     * @param available the most bytes the source can provide (checked before allocating)
     */
    static Tensor read(Reader r, long available) throws IOException {
        Origin origin = r.origin;
        byte[] magic = r.bytes(8, "magic string and version");
        for (int i = 0; i < MAGIC.length; i++) {
            if (magic[i] != MAGIC[i]) {
                throw origin.error(i, "not an .npy file: expected the magic string \\x93NUMPY");
            }
        }
        int major = magic[6] & 0xff;
        int minor = magic[7] & 0xff;
        if (major < 1 || major > 3 || minor != 0) {
            throw origin.error(6, "unsupported .npy format version " + major + "." + minor + " (expected 1.0, 2.0 or 3.0)");
        }
        long headerLength;
        if (major == 1) {
            byte[] b = r.bytes(2, "header length");
            headerLength = (b[0] & 0xff) | (b[1] & 0xff) << 8;
        } else {
            byte[] b = r.bytes(4, "header length");
            headerLength = (b[0] & 0xffL) | (b[1] & 0xffL) << 8 | (b[2] & 0xffL) << 16 | (b[3] & 0xffL) << 24;
        }
        long headerStart = r.position;
        if (headerLength > MAX_HEADER || headerLength > available - headerStart) {
            throw origin.error(8, "header length " + headerLength + " exceeds "
                    + (headerLength > MAX_HEADER ? "the limit of " + MAX_HEADER : "the " + (available - headerStart)
                    + " bytes that remain"));
        }
        byte[] hb = r.bytes((int) headerLength, "header");
        String text = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        NpyHeader header;
        try {
            header = NpyHeader.parse(text);
        } catch (NpyHeader.SyntaxError e) {
            throw origin.error(headerStart + e.position, "malformed header: " + e.getMessage());
        }
        Descr descr = Descr.parse(header.descr());
        if (descr == null) {
            throw origin.error(headerStart, "header field 'descr': unsupported dtype '" + header.descr()
                    + "' (expected <f4 <f8 >f4 >f8 <i4 <i8 >i4 >i8 |b1 |u1)");
        }
        long dataBytes;
        try {
            dataBytes = Shapes.byteSize(descr.dtype, header.shape());
        } catch (IllegalArgumentException e) {
            throw origin.error(headerStart, "header field 'shape': " + Shapes.format(header.shape())
                    + " has more elements than fit in 64 bits");
        }
        long dataStart = r.position;
        if (dataBytes > available - dataStart) {
            throw origin.error(dataStart, "header claims shape " + Shapes.format(header.shape()) + " of "
                    + header.descr() + " = " + dataBytes + " bytes but only " + (available - dataStart) + " remain");
        }
        long[] shape = header.shape();
        Tensor t = Tensor.allocate(descr.dtype, header.fortranOrder() ? reversed(shape) : shape);
        r.into(t.segment(), "data of shape " + Shapes.format(shape));
        if (descr.bigEndian) {
            swapBytes(t.segment(), descr.dtype.byteSize());
        }
        if (descr.dtype == DType.BOOL) {
            normaliseBooleans(t.segment());
        }
        return header.fortranOrder() ? reverseAxes(t) : t;
    }

    /** Writes {@code t} as a version 1.0 file (2.0 when the header needs it), C order, little endian. */
    static void write(OutputStream out, Tensor t) throws IOException {
        out.write(header(t));
        byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(1, t.byteSize()))];
        MemorySegment seg = t.segment();
        for (long off = 0; off < t.byteSize(); off += buf.length) {
            int n = (int) Math.min(buf.length, t.byteSize() - off);
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, off, buf, 0, n);
            out.write(buf, 0, n);
        }
    }

    /** The magic string, version, header length and padded header for {@code t}. */
    static byte[] header(Tensor t) {
        String dict = new NpyHeader(t.dtype().numpyDescr(), false, t.shape()).format();
        int prefix = 10;
        int major = 1;
        if (dict.length() + 1 + prefix > 65535) {
            prefix = 12;
            major = 2;
        }
        int total = (prefix + dict.length() + 1 + 63) / 64 * 64;
        int hlen = total - prefix;
        byte[] out = new byte[total];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        out[6] = (byte) major;
        out[7] = 0;
        out[8] = (byte) hlen;
        out[9] = (byte) (hlen >>> 8);
        if (major == 2) {
            out[10] = (byte) (hlen >>> 16);
            out[11] = (byte) (hlen >>> 24);
        }
        byte[] d = dict.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(d, 0, out, prefix, d.length);
        for (int i = prefix + d.length; i < total - 1; i++) {
            out[i] = ' ';
        }
        out[total - 1] = '\n';
        return out;
    }

    /** A dtype string: the element type and its byte order. */
    record Descr(DType dtype, boolean bigEndian) {
        static Descr parse(String s) {
            if (s.length() < 2) {
                return null;
            }
            char order = s.charAt(0);
            String kind = s.substring(1);
            DType t = switch (kind) {
                case "f4" -> DType.F32;
                case "f8" -> DType.F64;
                case "i4" -> DType.I32;
                case "i8" -> DType.I64;
                case "u1" -> DType.U8;
                case "b1" -> DType.BOOL;
                default -> null;
            };
            if (t == null) {
                return null;
            }
            boolean single = t.byteSize() == 1;
            return switch (order) {
                case '<' -> new Descr(t, false);
                case '>' -> new Descr(t, !single);
                case '|' -> single ? new Descr(t, false) : null;
                case '=' -> new Descr(t, ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN && !single);
                default -> null;
            };
        }
    }

    private static long[] reversed(long[] shape) {
        long[] r = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            r[i] = shape[shape.length - 1 - i];
        }
        return r;
    }

    /**
     * Fortran-order data read as a C-order array of the reversed shape is the transpose with all axes
     * reversed; reversing the axes again gives the C-order array.
     */
    private static Tensor reverseAxes(Tensor src) {
        long[] rs = src.shape();
        int rank = rs.length;
        long[] shape = reversed(rs);
        Tensor dst = Tensor.allocate(src.dtype(), shape);
        if (rank < 2 || dst.size() == 0) {
            dst.segment().copyFrom(src.segment());
            return dst;
        }
        long[] srcStride = new long[rank];
        long s = 1;
        for (int i = rank - 1; i >= 0; i--) {
            srcStride[i] = s;
            s *= rs[i];
        }
        // dst index (i_0 .. i_{r-1}) reads src index (i_{r-1} .. i_0).
        long[] step = new long[rank];
        for (int k = 0; k < rank; k++) {
            step[k] = srcStride[rank - 1 - k];
        }
        int es = src.dtype().byteSize();
        long[] idx = new long[rank];
        long srcFlat = 0;
        MemorySegment from = src.segment();
        MemorySegment to = dst.segment();
        for (long flat = 0; flat < dst.size(); flat++) {
            MemorySegment.copy(from, srcFlat * es, to, flat * es, es);
            for (int k = rank - 1; k >= 0; k--) {
                idx[k]++;
                srcFlat += step[k];
                if (idx[k] < shape[k]) {
                    break;
                }
                srcFlat -= step[k] * shape[k];
                idx[k] = 0;
            }
        }
        return dst;
    }

    private static void swapBytes(MemorySegment seg, int size) {
        long n = seg.byteSize() / size;
        if (size == 4) {
            ValueLayout.OfInt be = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
            ValueLayout.OfInt le = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0; i < n; i++) {
                seg.set(le, i * 4, seg.get(be, i * 4));
            }
        } else if (size == 8) {
            ValueLayout.OfLong be = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
            ValueLayout.OfLong le = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0; i < n; i++) {
                seg.set(le, i * 8, seg.get(be, i * 8));
            }
        }
    }

    private static void normaliseBooleans(MemorySegment seg) {
        for (long i = 0; i < seg.byteSize(); i++) {
            if (seg.get(ValueLayout.JAVA_BYTE, i) != 0) {
                seg.set(ValueLayout.JAVA_BYTE, i, (byte) 1);
            }
        }
    }

    /** Reads exact byte counts, tracking the offset for messages. */
    static final class Reader {
        private final InputStream in;
        final Origin origin;
        long position;

        /** A reader of {@code in}, reporting offsets from its current position. */
        Reader(InputStream in, Origin origin) {
            this.in = in;
            this.origin = origin;
        }

        byte[] bytes(int n, String what) throws IOException {
            byte[] b = new byte[n];
            fill(b, n, what);
            return b;
        }

        void into(MemorySegment dst, String what) throws IOException {
            byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(1, dst.byteSize()))];
            for (long off = 0; off < dst.byteSize(); off += buf.length) {
                int n = (int) Math.min(buf.length, dst.byteSize() - off);
                fill(buf, n, what);
                MemorySegment.copy(buf, 0, dst, ValueLayout.JAVA_BYTE, off, n);
            }
        }

        private void fill(byte[] b, int n, String what) throws IOException {
            int done = 0;
            while (done < n) {
                int k;
                try {
                    k = in.read(b, done, n - done);
                } catch (EOFException e) {
                    k = -1;
                } catch (TensorFormatException e) {
                    throw e;
                } catch (IOException e) {
                    // A corrupt compressed stream (ZipException) or a failing disk.
                    throw origin.error(position + done, "cannot read the " + what + ": " + e.getMessage(), e);
                }
                if (k < 0) {
                    throw origin.error(position + done, "truncated: the file ends inside the " + what);
                }
                done += k;
            }
            position += n;
        }

        /** Whether the stream has no more bytes. */
        boolean atEnd() throws IOException {
            try {
                return in.read() < 0;
            } catch (EOFException e) {
                return true;
            } catch (TensorFormatException e) {
                throw e;
            } catch (IOException e) {
                throw origin.error(position, "cannot read past the array data: " + e.getMessage(), e);
            }
        }
    }
}
