package io.github.tangent4j.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A {@link TileSink} over a {@link Tensor}: an array in memory, or the mapped data of a {@code .npy} being
 * written ({@link MappedNpy#tensor()}), so an output larger than memory streams to disk tile by tile.
 * Writes copy each tile row by row (runs of the tile's columns times the trailing axes are contiguous on
 * both sides). Holds nothing of its own: closing it does nothing; the tensor's owner frees it.
 */
public final class TensorSink implements TileSink {
    private final Tensor tensor;

    private TensorSink(Tensor tensor) {
        this.tensor = tensor;
    }

    /** A sink writing into {@code tensor} (of rank >= 1). */
    public static TensorSink of(Tensor tensor) {
        Objects.requireNonNull(tensor, "tensor");
        if (tensor.rank() < 1) {
            throw new IllegalArgumentException("tensor: expected rank >= 1 but was a scalar");
        }
        return new TensorSink(tensor);
    }

    /** The tensor written into. */
    public Tensor tensor() {
        return tensor;
    }

    @Override
    public long[] shape() {
        return tensor.shape();
    }

    @Override
    public DType dtype() {
        return tensor.dtype();
    }

    /**
     * Copies {@code block} into the tensor at rows {@code [rowStart, rowStart + block.dim(0))} and, for a
     * block of the tensor's rank >= 2 narrower than the tensor, columns {@code [colStart, colStart +
     * block.dim(1))}.
     */
    @Override
    public void writeTile(long rowStart, long colStart, Tensor block) {
        Objects.requireNonNull(block, "block");
        long[] out = tensor.shape();
        long[] in = block.shape();
        boolean fits = in.length == out.length && block.dtype() == tensor.dtype() && rowStart >= 0
                && rowStart + in[0] <= out[0] && colStart >= 0
                && (out.length == 1 ? colStart == 0 : colStart + in[1] <= out[1]);
        for (int a = 2; fits && a < in.length; a++) {
            fits = in[a] == out[a];
        }
        if (!fits) {
            throw new IllegalArgumentException("block: expected a " + tensor.dtype() + " tile inside "
                    + Shapes.format(out) + " at (" + rowStart + ", " + colStart + ") but was " + block.dtype() + " "
                    + Shapes.format(in));
        }
        long es = tensor.dtype().byteSize();
        long trailing = 1;
        for (int a = 2; a < out.length; a++) {
            trailing *= out[a];
        }
        if (out.length == 1) {
            MemorySegment.copy(block.segment(), 0, tensor.segment(), rowStart * es, in[0] * es);
            return;
        }
        long run = in[1] * trailing * es;
        for (long r = 0; r < in[0]; r++) {
            MemorySegment.copy(block.segment(), r * run, tensor.segment(),
                    (((rowStart + r) * out[1] + colStart) * trailing) * es, run);
        }
    }
}
