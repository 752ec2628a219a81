package io.github.tangent4j.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A dense row-major (C order) array in off-heap memory: a {@link MemorySegment}, a {@link DType} and
 * a shape. Views ({@link #reshape}, {@link #slice}) share memory with the tensor they come from;
 * their lifetime is the lifetime of the arena that allocated the memory.
 *
 * <p>Memory is 64-byte aligned when tangent4j allocates it, so it can be handed to native code and
 * to the Vector API without copies. Tensors allocated without an explicit arena are freed by the
 * garbage collector ({@link Arena#ofAuto()}); pass an arena to control the lifetime.
 *
 * <p>A {@code Tensor} is a mutable view of memory and is not thread-safe for concurrent writes.
 */
public final class Tensor {
    /** Alignment in bytes of memory that tangent4j allocates. */
    public static final long ALIGNMENT = 64;

    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment data;
    private final DType dtype;
    private final long[] shape;
    private final long size;

    private Tensor(MemorySegment data, DType dtype, long[] shape) {
        this.data = data;
        this.dtype = dtype;
        this.shape = shape;
        this.size = Shapes.size(shape);
    }

    /** A zero-filled tensor freed by the garbage collector. */
    public static Tensor allocate(DType dtype, long... shape) {
        return allocate(Arena.ofAuto(), dtype, shape);
    }

    /**
     * A zero-filled tensor whose memory belongs to {@code arena}.
     *
     * @throws InsufficientMemoryException if the tensor does not fit in the available memory (checked
     *                                     first for large tensors, see {@link HostMemory}), naming its
     *                                     dtype, shape and bytes
     */
    public static Tensor allocate(Arena arena, DType dtype, long... shape) {
        Objects.requireNonNull(arena, "arena");
        Objects.requireNonNull(dtype, "dtype");
        long[] s = shape.clone();
        long bytes = Shapes.byteSize(dtype, s);
        String what = "array " + dtype + " " + Shapes.format(s);
        HostMemory.checkAllocatable(bytes, what);
        try {
            return new Tensor(arena.allocate(Math.max(bytes, 1), ALIGNMENT).asSlice(0, bytes), dtype, s);
        } catch (OutOfMemoryError e) {
            InsufficientMemoryException x = new InsufficientMemoryException(what + " needs " + HostMemory.format(bytes)
                    + " but the allocation failed (" + e.getMessage() + ")", bytes);
            x.initCause(e);
            throw x;
        }
    }

    /**
     * A tensor whose contents are unspecified, for a result that the caller overwrites completely: large
     * blocks are not zero-filled first (small ones are {@link #allocate}d). Freed by the garbage collector;
     * a block of 1 MiB or more is then kept for the next tensor of about its size, which may so hold the
     * values of an earlier, dropped one ({@link NativeMemory#allocateCollected}).
     *
     * @throws InsufficientMemoryException as {@link #allocate}
     */
    public static Tensor allocateUninitialised(DType dtype, long... shape) {
        Objects.requireNonNull(dtype, "dtype");
        long[] s = shape.clone();
        long bytes = Shapes.byteSize(dtype, s);
        if (bytes < UNINITIALISED_BYTES) {
            return allocate(dtype, s);
        }
        String what = "array " + dtype + " " + Shapes.format(s);
        HostMemory.checkAllocatable(bytes, what);
        MemorySegment data = NativeMemory.allocateCollected(bytes);
        if (data == null) {
            throw new InsufficientMemoryException(what + " needs " + HostMemory.format(bytes)
                    + " but the C allocator refused it", bytes);
        }
        return new Tensor(data, dtype, s);
    }

    /** Below this size {@link #allocateUninitialised} zero-fills anyway (the fill costs nothing there). */
    private static final long UNINITIALISED_BYTES = 1L << 20;

    /**
     * A tensor over existing memory (no copy).
     *
     * @throws IllegalArgumentException if the segment's size is not exactly the byte size of the shape
     */
    public static Tensor wrap(MemorySegment data, DType dtype, long... shape) {
        long[] s = shape.clone();
        long bytes = Shapes.byteSize(dtype, s);
        if (data.byteSize() != bytes) {
            throw new IllegalArgumentException("data: expected " + bytes + " bytes for " + dtype + " "
                    + Shapes.format(s) + " but the segment holds " + data.byteSize());
        }
        return new Tensor(data, dtype, s);
    }

    /** An {@link DType#F64} tensor holding a copy of {@code values}, of the given shape. */
    public static Tensor of(double[] values, long... shape) {
        Tensor t = allocate(DType.F64, checkLength(values.length, shape));
        MemorySegment.copy(values, 0, t.data, F64_LE, 0, values.length);
        return t;
    }

    /** An {@link DType#F32} tensor holding a copy of {@code values}, of the given shape. */
    public static Tensor of(float[] values, long... shape) {
        Tensor t = allocate(DType.F32, checkLength(values.length, shape));
        MemorySegment.copy(values, 0, t.data, F32_LE, 0, values.length);
        return t;
    }

    /** An {@link DType#F64} matrix holding a copy of {@code rows} (all rows of equal length). */
    public static Tensor of(double[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        Tensor t = allocate(DType.F64, rows.length, cols);
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) {
                throw new IllegalArgumentException("rows: expected every row to have " + cols
                        + " elements but row " + i + " has " + rows[i].length);
            }
            MemorySegment.copy(rows[i], 0, t.data, F64_LE, (long) i * cols * 8, cols);
        }
        return t;
    }

    private static long[] checkLength(int length, long[] shape) {
        if (Shapes.size(shape) != length) {
            throw new IllegalArgumentException("shape: " + Shapes.format(shape) + " holds " + Shapes.size(shape)
                    + " elements but " + length + " values were given");
        }
        return shape;
    }

    /** The memory holding the elements, row-major, little endian. */
    public MemorySegment segment() {
        return data;
    }

    /** The element type. */
    public DType dtype() {
        return dtype;
    }

    /** A copy of the shape. */
    public long[] shape() {
        return shape.clone();
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code axis} (negative counts from the end). */
    public long dim(int axis) {
        int a = axis < 0 ? axis + shape.length : axis;
        if (a < 0 || a >= shape.length) {
            throw new IndexOutOfBoundsException("axis: expected in [" + -shape.length + ", " + shape.length
                    + ") for shape " + Shapes.format(shape) + " but was " + axis);
        }
        return shape[a];
    }

    /** Number of elements. */
    public long size() {
        return size;
    }

    /** Number of bytes of element data. */
    public long byteSize() {
        return data.byteSize();
    }

    /**
     * A view of the same elements with another shape. One dimension may be {@code -1}, inferred
     * from the others.
     */
    public Tensor reshape(long... newShape) {
        long[] s = newShape.clone();
        int infer = -1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1 && infer < 0) {
                infer = i;
            } else {
                checkDim(s, i);
            }
        }
        if (infer >= 0) {
            // The product of the other dimensions, through Shapes.size so that a zero among them means
            // "empty" rather than an overflow of the rest.
            s[infer] = 1;
            long known = Shapes.size(s);
            if (known == 0 || size % known != 0) {
                throw new IllegalArgumentException("shape: cannot reshape " + Shapes.format(shape) + " to "
                        + Shapes.format(newShape));
            }
            s[infer] = size / known;
        }
        if (Shapes.size(s) != size) {
            throw new IllegalArgumentException("shape: cannot reshape " + Shapes.format(shape) + " ("
                    + size + " elements) to " + Shapes.format(newShape));
        }
        return new Tensor(data, dtype, s);
    }

    private static long checkDim(long[] s, int i) {
        if (s[i] < 0) {
            throw new IllegalArgumentException("shape: dimensions must be >= 0 (one may be -1) but was "
                    + Shapes.format(s));
        }
        return s[i];
    }

    /** A view of entries {@code [from, to)} along the first axis. */
    public Tensor slice(long from, long to) {
        if (shape.length == 0) {
            throw new IllegalArgumentException("slice: a scalar tensor has no first axis");
        }
        if (from < 0 || to < from || to > shape[0]) {
            throw new IndexOutOfBoundsException("slice: expected 0 <= from <= to <= " + shape[0]
                    + " but was [" + from + ", " + to + ")");
        }
        long[] s = shape.clone();
        s[0] = to - from;
        long rowBytes = shape[0] == 0 ? 0 : data.byteSize() / shape[0];
        return new Tensor(data.asSlice(from * rowBytes, (to - from) * rowBytes), dtype, s);
    }

    /** The element at flat (row-major) position {@code i}, converted to double. */
    public double getFlat(long i) {
        long off = checkedOffset(i);
        return switch (dtype) {
            case F32 -> data.get(F32_LE, off);
            case F64 -> data.get(F64_LE, off);
            case I32 -> data.get(I32_LE, off);
            case I64 -> data.get(I64_LE, off);
            case U8 -> Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, off));
            case BOOL -> data.get(ValueLayout.JAVA_BYTE, off) != 0 ? 1 : 0;
        };
    }

    /**
     * The element at flat position {@code i} as a long: exact for the integer and boolean types
     * (use it for {@link DType#I64} values above 2^53, such as packed activation patterns), truncated
     * for the floating types.
     */
    public long getLongFlat(long i) {
        long off = checkedOffset(i);
        return switch (dtype) {
            case I32 -> data.get(I32_LE, off);
            case I64 -> data.get(I64_LE, off);
            default -> (long) getFlat(i);
        };
    }

    /** The element at a multi-dimensional index as a long; see {@link #getLongFlat}. */
    public long getLong(long... index) {
        return getLongFlat(flatIndex(index));
    }

    /** Stores {@code value} at flat position {@code i}, rounded or truncated to the element type. */
    public void setFlat(long i, double value) {
        long off = checkedOffset(i);
        switch (dtype) {
            case F32 -> data.set(F32_LE, off, (float) value);
            case F64 -> data.set(F64_LE, off, value);
            case I32 -> data.set(I32_LE, off, (int) value);
            case I64 -> data.set(I64_LE, off, (long) value);
            case U8 -> data.set(ValueLayout.JAVA_BYTE, off, (byte) (int) value);
            case BOOL -> data.set(ValueLayout.JAVA_BYTE, off, (byte) (value != 0 ? 1 : 0));
        }
    }

    /** The element at a multi-dimensional index, converted to double. */
    public double get(long... index) {
        return getFlat(flatIndex(index));
    }

    /** Stores {@code value} at a multi-dimensional index. */
    public void set(double value, long... index) {
        setFlat(flatIndex(index), value);
    }

    private long checkedOffset(long i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("index: expected in [0, " + size + ") but was " + i);
        }
        return i * dtype.byteSize();
    }

    private long flatIndex(long[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index: expected " + shape.length + " indices for shape "
                    + Shapes.format(shape) + " but got " + index.length);
        }
        long flat = 0;
        for (int k = 0; k < index.length; k++) {
            if (index[k] < 0 || index[k] >= shape[k]) {
                throw new IndexOutOfBoundsException("index: position " + k + " must be in [0, " + shape[k]
                        + ") but was " + index[k]);
            }
            flat = flat * shape[k] + index[k];
        }
        return flat;
    }

    /** A copy of the elements as doubles, row-major. */
    public double[] toDoubleArray() {
        double[] out = new double[checkedArrayLength()];
        if (dtype == DType.F64) {
            MemorySegment.copy(data, F64_LE, 0, out, 0, out.length);
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = getFlat(i);
            }
        }
        return out;
    }

    /** A copy of the elements as floats, row-major. */
    public float[] toFloatArray() {
        float[] out = new float[checkedArrayLength()];
        if (dtype == DType.F32) {
            MemorySegment.copy(data, F32_LE, 0, out, 0, out.length);
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) getFlat(i);
            }
        }
        return out;
    }

    private int checkedArrayLength() {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor of " + size + " elements does not fit in a Java array");
        }
        return (int) size;
    }

    /** A copy in new garbage-collected memory. */
    public Tensor copy() {
        Tensor t = allocate(dtype, shape);
        t.data.copyFrom(data);
        return t;
    }

    /** A copy converted to {@code target} (this tensor itself copied when the type is the same). */
    public Tensor to(DType target) {
        if (target == dtype) {
            return copy();
        }
        Tensor t = allocate(target, shape);
        for (long i = 0; i < size; i++) {
            t.setFlat(i, getFlat(i));
        }
        return t;
    }

    /**
     * Copies the elements of {@code src} into this tensor.
     *
     * @throws IllegalArgumentException if dtypes or element counts differ
     */
    public void copyFrom(Tensor src) {
        if (src.dtype != dtype || src.size != size) {
            throw new IllegalArgumentException("src: expected " + dtype + " with " + size + " elements but was "
                    + src.dtype + " " + Shapes.format(src.shape));
        }
        data.copyFrom(src.data);
    }

    @Override
    public String toString() {
        return "Tensor[" + dtype + " " + Shapes.format(shape) + "]";
    }
}
