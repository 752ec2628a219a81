package io.github.tangent4j.tensor;

import java.io.IOException;

/**
 * A tensor file is truncated, corrupt or uses a feature tangent4j does not read. The message names
 * the file, the entry (an {@code .npz} member or a safetensors tensor, when there is one) and the
 * byte offset or header field where the problem was found, and says what was expected and found.
 */
public class TensorFormatException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final String entry;
    private final long offset;

    /**
     * @param file    the file name
     * @param entry   the member or tensor name, or {@code null}
     * @param offset  the byte offset (from the start of the file, or of the member for {@code .npz}),
     *                or -1 when the problem is not at one place
     * @param problem what was expected and what was found
     */
    public TensorFormatException(String file, String entry, long offset, String problem) {
        super(file + ": " + (entry == null ? "" : "'" + entry + "': ") + (offset >= 0 ? "offset " + offset + ": " : "")
                + problem);
        this.file = file;
        this.entry = entry;
        this.offset = offset;
    }

    /** Like {@link #TensorFormatException(String, String, long, String)}, with the exception that revealed it. */
    public TensorFormatException(String file, String entry, long offset, String problem, Throwable cause) {
        this(file, entry, offset, problem);
        initCause(cause);
    }

    /** The file name. */
    public String file() {
        return file;
    }

    /** The {@code .npz} member or safetensors tensor, or {@code null}. */
    public String entry() {
        return entry;
    }

    /** The byte offset of the problem, or -1. */
    public long offset() {
        return offset;
    }
}
