package io.github.tangent4j.backend.internal;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.Backends;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.tensor.DType;

/**
 * The one {@link DeviceMatrix} implementation: a window {@code [byteOffset, byteOffset + rows*cols*size)}
 * of a {@link Buffer}. Backends differ only in what a buffer is (device pointer or host segment).
 */
public final class BufferMatrix implements DeviceMatrix {
    private final AbstractBackend backend;
    private final Buffer buffer;
    private final long byteOffset;
    private final DType dtype;
    private final long rows;
    private final long cols;
    private final boolean owner;

    BufferMatrix(AbstractBackend backend, Buffer buffer, long byteOffset, DType dtype, long rows, long cols,
            boolean owner) {
        this.backend = backend;
        this.buffer = buffer;
        this.byteOffset = byteOffset;
        this.dtype = dtype;
        this.rows = rows;
        this.cols = cols;
        this.owner = owner;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public long rows() {
        return rows;
    }

    @Override
    public long cols() {
        return cols;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    /** The buffer this matrix is a window of. */
    public Buffer buffer() {
        return buffer;
    }

    /** Offset in bytes of element (0, 0) from the start of {@link #buffer()}. */
    public long byteOffset() {
        return byteOffset;
    }

    /** Size in bytes of the elements. */
    public long byteSize() {
        return rows * cols * dtype.byteSize();
    }

    @Override
    public DeviceMatrix reshape(long newRows, long newCols) {
        if (newRows < 0 || newCols < 0 || Math.multiplyHigh(newRows, newCols) != 0 || newRows * newCols != size()) {
            throw new IllegalArgumentException("reshape: cannot view a " + rows + " x " + cols + " matrix as "
                    + newRows + " x " + newCols);
        }
        return new BufferMatrix(backend, buffer, byteOffset, dtype, newRows, newCols, false);
    }

    @Override
    public DeviceMatrix rows(long from, long to) {
        if (from < 0 || to < from || to > rows) {
            throw new IndexOutOfBoundsException("rows: expected 0 <= from <= to <= " + rows + " but was ["
                    + from + ", " + to + ")");
        }
        return new BufferMatrix(backend, buffer, byteOffset + from * cols * dtype.byteSize(), dtype, to - from,
                cols, false);
    }

    @Override
    public boolean isClosed() {
        return buffer.isFreed();
    }

    @Override
    public void close() {
        if (owner) {
            backend.release(buffer);
        }
    }

    @Override
    public String toString() {
        return backend.name() + " " + dtype + " " + rows + " x " + cols + (isClosed() ? " (closed)" : "");
    }
}
