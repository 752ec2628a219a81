package io.github.tangent4j.jacobian;

import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.ParameterLayout;
import io.github.tangent4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A materialised parameter Jacobian {@code d f / d theta} of shape (N, O, P), columns in the
 * {@link ParameterLayout} order (state-dict order), with per-layer blocks so callers never slice by
 * hand. The blocks are copies.
 */
public final class ParameterJacobian {
    private final Mlp mlp;
    private final ParameterLayout layout;
    private final Tensor values;

    ParameterJacobian(Mlp mlp, Tensor values) {
        this.mlp = mlp;
        this.layout = ParameterLayout.of(mlp);
        this.values = values;
    }

    /** The whole Jacobian, (N, O, P). */
    public Tensor tensor() {
        return values;
    }

    /** The column layout. */
    public ParameterLayout layout() {
        return layout;
    }

    /** Layer {@code l}'s weight block {@code d f / d W_l}, a new tensor of shape (N, O, out, in). */
    public Tensor weight(int l) {
        Layer layer = mlp.layers().get(Objects.checkIndex(l, mlp.layers().size()));
        return block(layout.weightOffset(l), layer.out() * layer.in(), layer.out(), layer.in());
    }

    /**
     * Layer {@code l}'s bias block {@code d f / d b_l}, a new tensor of shape (N, O, out).
     *
     * @throws IllegalArgumentException if the layer has no bias
     */
    public Tensor bias(int l) {
        Layer layer = mlp.layers().get(Objects.checkIndex(l, mlp.layers().size()));
        return block(layout.biasOffset(l), layer.out(), layer.out());
    }

    private Tensor block(long offset, long width, long... trailing) {
        long rows = values.dim(0) * values.dim(1);
        long[] shape = new long[2 + trailing.length];
        shape[0] = values.dim(0);
        shape[1] = values.dim(1);
        System.arraycopy(trailing, 0, shape, 2, trailing.length);
        Tensor out = Tensor.allocate(values.dtype(), shape);
        copyColumns(values.segment(), values.dim(2), offset, out.segment(), width, 0, width, rows,
                values.dtype().byteSize());
        return out;
    }

    /**
     * Copies {@code width} columns of {@code rows} rows from {@code src} (row length {@code srcCols},
     * starting at column {@code srcCol}) to {@code dst} (row length {@code dstCols}, at {@code dstCol}).
     */
    static void copyColumns(MemorySegment src, long srcCols, long srcCol, MemorySegment dst, long dstCols,
            long dstCol, long width, long rows, long elementBytes) {
        for (long r = 0; r < rows; r++) {
            MemorySegment.copy(src, (r * srcCols + srcCol) * elementBytes, dst, (r * dstCols + dstCol) * elementBytes,
                    width * elementBytes);
        }
    }
}
