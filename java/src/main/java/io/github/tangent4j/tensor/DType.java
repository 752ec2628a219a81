package io.github.tangent4j.tensor;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Element type of a {@link Tensor}. Elements are stored little endian (the native order of every
 * platform tangent4j runs on). Computations run in {@link #F32} or {@link #F64}; the other types
 * exist so that NumPy files of integer and boolean arrays (indices, activation patterns) can be
 * read and written without loss.
 */
public enum DType {
    /** IEEE 754 binary32, NumPy {@code <f4}. */
    F32(4, true, "<f4"),
    /** IEEE 754 binary64, NumPy {@code <f8}. */
    F64(8, true, "<f8"),
    /** Signed 32-bit integer, NumPy {@code <i4}. */
    I32(4, false, "<i4"),
    /** Signed 64-bit integer, NumPy {@code <i8}. */
    I64(8, false, "<i8"),
    /** Unsigned 8-bit integer, NumPy {@code |u1}. */
    U8(1, false, "|u1"),
    /** Boolean stored as one byte holding 0 or 1, NumPy {@code |b1}. */
    BOOL(1, false, "|b1");

    private final int byteSize;
    private final boolean floating;
    private final String numpyDescr;

    DType(int byteSize, boolean floating, String numpyDescr) {
        this.byteSize = byteSize;
        this.floating = floating;
        this.numpyDescr = numpyDescr;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** True for {@link #F32} and {@link #F64}, the types backends compute in. */
    public boolean isFloating() {
        return floating;
    }

    /** The NumPy {@code descr} string this type is written as (little endian). */
    public String numpyDescr() {
        return numpyDescr;
    }

    /** The unaligned little-endian value layout of one element. */
    public MemoryLayout layout() {
        return switch (this) {
            case F32 -> ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            case F64 -> ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            case I32 -> ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            case I64 -> ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            case U8, BOOL -> ValueLayout.JAVA_BYTE;
        };
    }

    /**
     * Parses a name as used on the command line and in safetensors headers:
     * {@code f32}/{@code F32}/{@code float32}, {@code f64}/{@code float64}, {@code i32}, {@code i64},
     * {@code u8}, {@code bool}.
     *
     * @throws IllegalArgumentException naming the accepted names
     */
    public static DType parse(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "f32", "float32", "float" -> F32;
            case "f64", "float64", "double" -> F64;
            case "i32", "int32" -> I32;
            case "i64", "int64" -> I64;
            case "u8", "uint8" -> U8;
            case "bool", "b1" -> BOOL;
            default -> throw new IllegalArgumentException(
                    "dtype: expected one of f32, f64, i32, i64, u8, bool but was '" + name + "'");
        };
    }
}
