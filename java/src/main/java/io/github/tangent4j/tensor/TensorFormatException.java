package io.github.tangent4j.tensor;

import java.io.IOException;

/**
 * A tensor file ({@code .npy}, {@code .npz}, {@code .safetensors}) is truncated, corrupt, or uses a
 * feature tangent4j does not support. This is the one exception the readers throw for bad content;
 * other {@link IOException}s mean the file could not be read at all (missing, no permission).
 *
 * <p>The message names the file, the entry when there is one (an npz member or a safetensors tensor),
 * the byte offset of the problem and what was expected and found, for example
 * {@code x.npz: member 'w.npy': offset 128: header claims shape (1000000, 1000000) of <f8 =
 * 8000000000000 bytes but only 64 bytes remain}.
 *
 * <p>Offsets count bytes from the start of the file, except inside a deflated npz member, whose bytes
 * only exist after inflating: there the offset counts from the start of the member's inflated bytes and
 * the message says {@code inflated offset}.
 */
public final class TensorFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final String entry;
    private final long offset;
    private final String detail;

    TensorFormatException(String file, String entryKind, String entry, long offset, boolean inflated,
                          String detail, Throwable cause) {
        super(message(file, entryKind, entry, offset, inflated, detail), cause);
        this.file = file;
        this.entry = entry;
        this.offset = offset;
        this.detail = detail;
    }

    private static String message(String file, String entryKind, String entry, long offset, boolean inflated,
                                  String detail) {
        StringBuilder sb = new StringBuilder(file);
        if (entry != null) {
            sb.append(": ").append(entryKind).append(" '").append(entry).append('\'');
        }
        if (offset >= 0) {
            sb.append(inflated ? ": inflated offset " : ": offset ").append(offset);
        }
        return sb.append(": ").append(detail).toString();
    }

    /** The file as it was given to the reader (a path, or the name passed with in-memory bytes). */
    public String file() {
        return file;
    }

    /** The npz member or safetensors tensor the problem belongs to, or {@code null} for the file as a whole. */
    public String entry() {
        return entry;
    }

    /** Byte offset of the problem (see the class comment for what it counts from), or -1 if there is none. */
    public long offset() {
        return offset;
    }

    /** What was expected and what was found, without the file, entry and offset. */
    public String detail() {
        return detail;
    }
}
