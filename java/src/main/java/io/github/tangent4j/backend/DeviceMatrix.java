package io.github.tangent4j.backend;

import io.github.tangent4j.tensor.DType;

/**
 * A dense row-major matrix in a backend's memory (device memory for CUDA, off-heap host memory for
 * Java). Every operand of a {@link Backend} primitive is one; arrays of higher rank are passed
 * reshaped to two dimensions, e.g. a Jacobian of shape (N, O, n) as an (N*O, n) matrix.
 *
 * <p>A matrix returned by {@link Backend#allocate} owns its memory and frees it on {@link #close()}.
 * Views ({@link #reshape}, {@link #rows}) share their parent's memory; closing a view does nothing,
 * and a view must not be used after its parent is closed. Closing twice is harmless. Whatever is
 * still open when the backend is closed is freed then.
 */
public interface DeviceMatrix extends AutoCloseable {
    /** The element type, {@link DType#F32} or {@link DType#F64}. */
    DType dtype();

    /** Number of rows. */
    long rows();

    /** Number of columns (the contiguous dimension). */
    long cols();

    /** rows * cols. */
    default long size() {
        return rows() * cols();
    }

    /** The backend this matrix belongs to. */
    Backend backend();

    /**
     * A view of the same elements as a {@code rows x cols} matrix.
     *
     * @throws IllegalArgumentException if {@code rows * cols} differs from {@link #size()}
     */
    DeviceMatrix reshape(long rows, long cols);

    /**
     * A view of rows {@code [from, to)}.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= from <= to <= rows()}
     */
    DeviceMatrix rows(long from, long to);

    /** Whether the memory has been freed (by closing this matrix, its owner, or the backend). */
    boolean isClosed();

    /** Frees the memory if this matrix owns it; does nothing for a view or a closed matrix. */
    @Override
    void close();
}
