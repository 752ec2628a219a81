package io.github.tangent4j.tensor;

/**
 * Where a reader is: the file, and optionally the entry inside it. Builds {@link TensorFormatException}s
 * so that every error names both.
 *
 * @param file            the file name as the user gave it
 * @param entryKind       what an entry is called ("member", "tensor"), or null
 * @param entry           the entry's name, or null for the file as a whole
 * @param inInflatedBytes whether offsets count from the member's first inflated byte rather than the file's start
 */
record FormatContext(String file, String entryKind, String entry, boolean inInflatedBytes) {
    /** Errors about the file as a whole; offsets are file offsets. */
    static FormatContext of(String file) {
        return new FormatContext(file, null, null, false);
    }

    /** Errors about entry {@code name} ("member", "tensor"); offsets are file offsets. */
    FormatContext entry(String kind, String name) {
        return new FormatContext(file, kind, name, false);
    }

    /** Errors about the inflated bytes of an npz member; offsets count from the member's first inflated byte. */
    FormatContext inflated() {
        return new FormatContext(file, entryKind, entry, true);
    }

    /** The file, and the entry when there is one: "x.npz: member 'w.npy'". */
    String where() {
        return entry == null ? file : file + ": " + entryKind + " '" + entry + "'";
    }

    TensorFormatException error(long offset, String detail) {
        return new TensorFormatException(file, entryKind, entry, offset, inInflatedBytes, detail, null);
    }

    TensorFormatException error(long offset, String detail, Throwable cause) {
        return new TensorFormatException(file, entryKind, entry, offset, inInflatedBytes, detail, cause);
    }
}
