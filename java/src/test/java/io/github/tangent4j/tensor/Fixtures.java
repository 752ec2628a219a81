package io.github.tangent4j.tensor;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Files built byte by byte the way NumPy, PyTorch and the safetensors package lay them out,
 * independently of the library's writers.
 */
final class Fixtures {
    private Fixtures() {
    }

    /** An .npy file: magic, version, header length, the dict padded with spaces to 64 bytes and '\n', data. */
    static byte[] npy(int major, String dict, byte[] data) {
        int prefix = major == 1 ? 10 : 12;
        int total = (prefix + dict.length() + 1 + 63) / 64 * 64;
        int hlen = total - prefix;
        ByteBuffer b = ByteBuffer.allocate(total + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) major).put((byte) 0);
        if (major == 1) {
            b.putShort((short) hlen);
        } else {
            b.putInt(hlen);
        }
        byte[] d = dict.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        b.put(d);
        for (int i = prefix + d.length; i < total - 1; i++) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        b.put(data);
        return b.array();
    }

    static byte[] doubles(ByteOrder order, double... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(order);
        for (double x : v) {
            b.putDouble(x);
        }
        return b.array();
    }

    static byte[] floats(ByteOrder order, float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(order);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    /**
     * A stored zip archive as Python's zipfile writes it for {@code numpy.savez} (force_zip64=True):
     * version 45, local headers whose 32-bit sizes are 0xFFFFFFFF with the real sizes in a ZIP64 extra
     * field; the central directory carries the real 32-bit sizes, or (with {@code zip64Central}) also
     * 0xFFFFFFFF and a ZIP64 extra field.
     */
    static byte[] numpyStyleZip(boolean zip64Central, String[] names, byte[][] members) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream central = new ByteArrayOutputStream();
        for (int i = 0; i < names.length; i++) {
            byte[] name = names[i].getBytes(StandardCharsets.UTF_8);
            byte[] data = members[i];
            CRC32 crc = new CRC32();
            crc.update(data);
            int offset = out.size();
            ByteBuffer loc = le(30 + name.length + 20);
            loc.putInt(0x04034b50).putShort((short) 45).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0x6000).putShort((short) 0x5a21).putInt((int) crc.getValue())
                    .putInt(-1).putInt(-1).putShort((short) name.length).putShort((short) 20).put(name)
                    .putShort((short) 1).putShort((short) 16).putLong(data.length).putLong(data.length);
            out.writeBytes(loc.array());
            out.writeBytes(data);
            int extra = zip64Central ? 20 : 0;
            ByteBuffer cen = le(46 + name.length + extra);
            cen.putInt(0x02014b50).putShort((short) 0x032d).putShort((short) 45).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0x6000).putShort((short) 0x5a21)
                    .putInt((int) crc.getValue());
            if (zip64Central) {
                cen.putInt(-1).putInt(-1);
            } else {
                cen.putInt(data.length).putInt(data.length);
            }
            cen.putShort((short) name.length).putShort((short) extra).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putInt(0x1800000).putInt(offset).put(name);
            if (zip64Central) {
                cen.putShort((short) 1).putShort((short) 16).putLong(data.length).putLong(data.length);
            }
            central.writeBytes(cen.array());
        }
        int cdOffset = out.size();
        out.writeBytes(central.toByteArray());
        ByteBuffer end = le(22);
        end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) names.length)
                .putShort((short) names.length).putInt(central.size()).putInt(cdOffset).putShort((short) 0);
        out.writeBytes(end.array());
        return out.toByteArray();
    }

    /** A safetensors file laid out as the reference package does: header padded with spaces to 8 bytes. */
    static byte[] safetensors(String json, byte[] data) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer b = le(8 + padded + data.length);
        b.putLong(padded).put(h);
        for (int i = h.length; i < padded; i++) {
            b.put((byte) ' ');
        }
        b.put(data);
        return b.array();
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
