package io.github.tangent4j.tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Reads the member list of a zip archive (the container of {@code .npz} files) from its central
 * directory, with ZIP64 end records and extra fields, and locates each member's data through its local
 * header. Everything is checked against the file size before it is used: the directory must end at the
 * end record, members must lie before the directory and must not overlap. Only single-disk archives,
 * unencrypted members, and the stored (0) and deflated (8) methods are supported.
 */
final class ZipDirectory {
    static final int STORED = 0;
    static final int DEFLATED = 8;

    private static final int LOCAL_SIG = 0x04034b50;
    private static final int CENTRAL_SIG = 0x02014b50;
    private static final int END_SIG = 0x06054b50;
    private static final int ZIP64_END_SIG = 0x06064b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int END_SIZE = 22;
    private static final int ZIP64_LOCATOR_SIZE = 20;
    private static final int ZIP64_END_SIZE = 56;
    private static final int CENTRAL_SIZE = 46;
    private static final int LOCAL_SIZE = 30;
    private static final int MAX_COMMENT = 0xffff;
    private static final long U32_SENTINEL = 0xffffffffL;
    private static final int ZIP64_EXTRA_ID = 0x0001;
    private static final int FLAG_ENCRYPTED = 1;
    private static final int FLAG_UTF8 = 1 << 11;

    /**
     * One member.
     *
     * @param name           member name
     * @param method         {@link #STORED} or {@link #DEFLATED}
     * @param crc            CRC-32 of the uncompressed bytes
     * @param compressedSize bytes of member data in the file
     * @param size           uncompressed bytes
     * @param centralOffset  file offset of the member's central directory header
     * @param localOffset    file offset of the member's local header
     * @param dataOffset     file offset of the member's data
     */
    record Member(String name, int method, long crc, long compressedSize, long size, long centralOffset,
                  long localOffset, long dataOffset) {
    }

    private ZipDirectory() {
    }

    /** The members of the archive {@code in}, in central directory order. */
    static List<Member> read(RandomAccessInput in, FormatContext ctx) throws IOException {
        long size = in.size();
        if (size < END_SIZE) {
            throw ctx.error(0, "file holds " + size + " bytes, too few for a zip archive (an .npz is a zip archive"
                    + " of .npy files; its end record alone is " + END_SIZE + " bytes)");
        }
        int tailLength = (int) Math.min(size, END_SIZE + MAX_COMMENT);
        long tailAt = size - tailLength;
        byte[] tail = in.readBytes(tailAt, tailLength, ctx);
        int end = -1;
        for (int i = tailLength - END_SIZE; i >= 0; i--) {
            if (i32(tail, i) == END_SIG && u16(tail, i + 20) == tailLength - i - END_SIZE) {
                end = i;
                break;
            }
        }
        if (end < 0) {
            throw ctx.error(size - END_SIZE, "no zip end of central directory record: not a zip archive (an .npz is"
                    + " a zip archive of .npy files)");
        }
        long endAt = tailAt + end;
        long disk = u16(tail, end + 4);
        long directoryDisk = u16(tail, end + 6);
        long diskEntries = u16(tail, end + 8);
        long entries = u16(tail, end + 10);
        long directorySize = u32(tail, end + 12);
        long directoryOffset = u32(tail, end + 16);
        long directoryEnd = endAt;
        long fieldsAt = endAt;

        long locatorAt = endAt - ZIP64_LOCATOR_SIZE;
        if (locatorAt >= 0 && i32(in.readBytes(locatorAt, 4, ctx), 0) == ZIP64_LOCATOR_SIG) {
            byte[] loc = in.readBytes(locatorAt, ZIP64_LOCATOR_SIZE, ctx);
            long recordAt = u64(loc, 8);
            if (u32(loc, 4) != 0 || u32(loc, 16) != 1) {
                throw ctx.error(locatorAt, "the ZIP64 locator describes a multi-disk archive, which is not supported");
            }
            if (recordAt < 0 || recordAt > locatorAt - ZIP64_END_SIZE) {
                throw ctx.error(locatorAt + 8, "the ZIP64 locator puts the ZIP64 end record at offset " + recordAt
                        + ", but it must end before the locator at " + locatorAt);
            }
            byte[] rec = readRecord(in, recordAt, ZIP64_END_SIZE, ZIP64_END_SIG, "ZIP64 end record", ctx);
            long recordSize = u64(rec, 4);
            if (recordSize != locatorAt - recordAt - 12) {
                throw ctx.error(recordAt + 4, "ZIP64 end record size field says " + recordSize
                        + " bytes, but the record must end at the locator at " + locatorAt + " ("
                        + (locatorAt - recordAt - 12) + " bytes)");
            }
            disk = u32(rec, 16);
            directoryDisk = u32(rec, 20);
            diskEntries = u64(rec, 24);
            entries = u64(rec, 32);
            directorySize = u64(rec, 40);
            directoryOffset = u64(rec, 48);
            directoryEnd = recordAt;
            fieldsAt = recordAt;
        }
        if (disk != 0 || directoryDisk != 0 || diskEntries != entries) {
            throw ctx.error(fieldsAt, "multi-disk zip archives are not supported (disk " + disk + ", directory disk "
                    + directoryDisk + ", " + diskEntries + " of " + entries + " entries on this disk)");
        }
        if (directoryOffset < 0 || directorySize < 0 || directoryOffset > directoryEnd
                || directorySize != directoryEnd - directoryOffset) {
            throw ctx.error(fieldsAt, "the end record puts the central directory at offset " + directoryOffset
                    + " with " + directorySize + " bytes, but it must end where the end record starts, at "
                    + directoryEnd);
        }
        if (directorySize > Integer.MAX_VALUE - 8) {
            throw ctx.error(directoryOffset, "central directory of " + directorySize + " bytes is too large");
        }
        if (entries < 0 || entries > directorySize / CENTRAL_SIZE) {
            throw ctx.error(fieldsAt, "the end record claims " + entries + " entries, but a central directory of "
                    + directorySize + " bytes holds at most " + directorySize / CENTRAL_SIZE);
        }
        byte[] dir = in.readBytes(directoryOffset, (int) directorySize, ctx);
        List<Member> members = new ArrayList<>((int) entries);
        int p = 0;
        for (long k = 0; k < entries; k++) {
            long at = directoryOffset + p;
            if (dir.length - p < CENTRAL_SIZE) {
                throw ctx.error(at, "central directory entry " + k + " of " + entries + " needs " + CENTRAL_SIZE
                        + " bytes but the directory has " + (dir.length - p) + " left");
            }
            if (i32(dir, p) != CENTRAL_SIG) {
                throw ctx.error(at, String.format("central directory entry %d signature is 0x%08x, expected 0x%08x",
                        k, i32(dir, p), CENTRAL_SIG));
            }
            int nameLength = u16(dir, p + 28);
            int extraLength = u16(dir, p + 30);
            int commentLength = u16(dir, p + 32);
            int variable = nameLength + extraLength + commentLength;
            if (dir.length - p - CENTRAL_SIZE < variable) {
                throw ctx.error(at, "central directory entry " + k + " has " + variable
                        + " bytes of name, extra field and comment but the directory has "
                        + (dir.length - p - CENTRAL_SIZE) + " left");
            }
            int flags = u16(dir, p + 8);
            byte[] rawName = Arrays.copyOfRange(dir, p + CENTRAL_SIZE, p + CENTRAL_SIZE + nameLength);
            String name = decodeName(rawName, (flags & FLAG_UTF8) != 0, ctx, at + CENTRAL_SIZE);
            FormatContext mctx = ctx.entry("member", name);
            int method = u16(dir, p + 10);
            if ((flags & FLAG_ENCRYPTED) != 0) {
                throw mctx.error(at + 8, "the member is encrypted, which is not supported");
            }
            if (method != STORED && method != DEFLATED) {
                throw mctx.error(at + 10, "compression method " + method
                        + " is not supported (supported: 0 stored, 8 deflated)");
            }
            long[] wide = {u32(dir, p + 24), u32(dir, p + 20), u32(dir, p + 42)};
            readZip64Extra(dir, p + CENTRAL_SIZE + nameLength, extraLength, wide, mctx,
                    at + CENTRAL_SIZE + nameLength);
            if (u16(dir, p + 34) != 0 && u16(dir, p + 34) != 0xffff) {
                throw mctx.error(at + 34, "the member starts on disk " + u16(dir, p + 34)
                        + "; multi-disk archives are not supported");
            }
            long uncompressedSize = wide[0];
            long compressedSize = wide[1];
            long localAt = wide[2];
            if (localAt < 0 || compressedSize < 0 || uncompressedSize < 0) {
                throw mctx.error(at, "ZIP64 sizes or offset exceed 2^63");
            }
            long dataAt = localData(in, localAt, rawName, directoryOffset, mctx);
            if (compressedSize > directoryOffset - dataAt) {
                throw mctx.error(dataAt, "the member's " + compressedSize + " compressed bytes run past the central"
                        + " directory at offset " + directoryOffset);
            }
            members.add(new Member(name, method, u32(dir, p + 16), compressedSize, uncompressedSize, at, localAt, dataAt));
            p += CENTRAL_SIZE + variable;
        }
        if (p != dir.length) {
            throw ctx.error(directoryOffset + p, (dir.length - p) + " bytes follow the last of the " + entries
                    + " central directory entries");
        }
        checkNoOverlap(members, ctx);
        return members;
    }

    /**
     * Replaces the 32-bit values in {@code wide} (uncompressed size, compressed size, local header offset)
     * that are 0xffffffff by the 64-bit ones of the ZIP64 extra field, which holds them in this order.
     */
    private static void readZip64Extra(byte[] b, int from, int length, long[] wide, FormatContext ctx, long at)
            throws TensorFormatException {
        int p = from;
        int end = from + length;
        boolean found = false;
        while (p < end) {
            if (end - p < 4) {
                throw ctx.error(at + (p - from), "extra field ends inside a record header");
            }
            int id = u16(b, p);
            int size = u16(b, p + 2);
            if (end - p - 4 < size) {
                throw ctx.error(at + (p - from), "extra field record 0x" + Integer.toHexString(id) + " of " + size
                        + " bytes runs past the end of the extra field");
            }
            if (id == ZIP64_EXTRA_ID) {
                if (found) {
                    throw ctx.error(at + (p - from), "two ZIP64 extra fields");
                }
                found = true;
                int q = p + 4;
                for (int i = 0; i < wide.length; i++) {
                    if (wide[i] == U32_SENTINEL) {
                        if (q + 8 > p + 4 + size) {
                            throw ctx.error(at + (p - from), "ZIP64 extra field of " + size
                                    + " bytes lacks a 64-bit value its header marks with 0xffffffff");
                        }
                        wide[i] = u64(b, q);
                        q += 8;
                    }
                }
            }
            p += 4 + size;
        }
    }

    /** The {@code size} bytes of the record {@code what} at {@code at}, refused unless they start with {@code signature}. */
    private static byte[] readRecord(RandomAccessInput in, long at, int size, int signature, String what,
                                     FormatContext ctx) throws IOException {
        byte[] rec = in.readBytes(at, size, ctx);
        if (i32(rec, 0) != signature) {
            throw ctx.error(at, String.format(what + " signature is 0x%08x, expected 0x%08x", i32(rec, 0), signature));
        }
        return rec;
    }

    /** Checks the local header at {@code localAt} and returns the offset of the member's data. */
    private static long localData(RandomAccessInput in, long localAt, byte[] rawName, long directoryOffset,
                                  FormatContext ctx) throws IOException {
        if (localAt > directoryOffset - LOCAL_SIZE) {
            throw ctx.error(localAt, "the local header offset " + localAt
                    + " does not leave room for a local header before the central directory at " + directoryOffset);
        }
        byte[] h = readRecord(in, localAt, LOCAL_SIZE, LOCAL_SIG, "local header", ctx);
        int nameLength = u16(h, 26);
        int extraLength = u16(h, 28);
        long dataAt = localAt + LOCAL_SIZE + nameLength + extraLength;
        if (dataAt > directoryOffset) {
            throw ctx.error(localAt, "the local header's name and extra field run past the central directory");
        }
        byte[] localName = in.readBytes(localAt + LOCAL_SIZE, nameLength, ctx);
        if (!Arrays.equals(localName, rawName)) {
            throw ctx.error(localAt + LOCAL_SIZE, "the local header names the member '"
                    + new String(localName, StandardCharsets.ISO_8859_1) + "', the central directory '"
                    + new String(rawName, StandardCharsets.ISO_8859_1) + "'");
        }
        return dataAt;
    }

    private static void checkNoOverlap(List<Member> members, FormatContext ctx) throws TensorFormatException {
        // Each member spans [local header, end of data); overlapping members could expand the same
        // compressed bytes many times over (a "zip bomb").
        List<Member> byOffset = new ArrayList<>(members);
        byOffset.sort(Comparator.comparingLong(Member::localOffset));
        long previousEnd = 0;
        String previous = null;
        for (Member m : byOffset) {
            long start = m.localOffset();
            if (start < previousEnd) {
                throw ctx.entry("member", m.name()).error(start, "the member overlaps member '" + previous
                        + "', which ends at offset " + previousEnd);
            }
            previousEnd = m.dataOffset() + m.compressedSize();
            previous = m.name();
        }
    }

    private static String decodeName(byte[] raw, boolean utf8, FormatContext ctx, long at)
            throws TensorFormatException {
        boolean ascii = true;
        for (byte x : raw) {
            ascii &= x >= 0;
        }
        if (ascii) {
            return new String(raw, StandardCharsets.US_ASCII);
        }
        if (!utf8) {
            // Zip names without the UTF-8 flag are in code page 437.
            return new String(raw, Charset.isSupported("IBM437") ? Charset.forName("IBM437")
                    : StandardCharsets.ISO_8859_1);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw ctx.error(at, "member name is flagged UTF-8 but is not valid UTF-8");
        }
    }

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
    }

    private static int i32(byte[] b, int i) {
        return u16(b, i) | u16(b, i + 2) << 16;
    }

    private static long u32(byte[] b, int i) {
        return i32(b, i) & U32_SENTINEL;
    }

    /** Unsigned 64-bit value; values of 2^63 and more come back negative and callers reject them. */
    private static long u64(byte[] b, int i) {
        return u32(b, i) | u32(b, i + 4) << 32;
    }
}
