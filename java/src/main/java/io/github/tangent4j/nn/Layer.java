package io.github.tangent4j.nn;

import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Finite;
import io.github.tangent4j.tensor.Tensor;
import java.util.Objects;

/**
 * One fully connected layer as PyTorch stores it: {@code weight} of shape (out, in) and an optional
 * {@code bias} of shape (out,), both F32 or F64 and finite.
 *
 * @param weight the (out, in) weight matrix
 * @param bias   the (out,) bias, or {@code null} for a bias-free layer
 */
public record Layer(Tensor weight, Tensor bias) {
    /** Validates ranks, shapes, dtypes and finiteness. */
    public Layer {
        Objects.requireNonNull(weight, "weight");
        if (weight.rank() != 2) {
            throw new IllegalArgumentException("weight: expected shape (out, in) but was " + Shapes.format(weight.shape()));
        }
        if (!weight.dtype().isFloating()) {
            throw new IllegalArgumentException("weight: expected dtype F32 or F64 but was " + weight.dtype());
        }
        if (bias != null) {
            if (bias.rank() != 1 || bias.dim(0) != weight.dim(0)) {
                throw new IllegalArgumentException("bias: expected shape (" + weight.dim(0) + ",) to match weight "
                        + Shapes.format(weight.shape()) + " but was " + Shapes.format(bias.shape()));
            }
            if (bias.dtype() != weight.dtype()) {
                throw new IllegalArgumentException("bias: expected dtype " + weight.dtype() + " like the weight but was "
                        + bias.dtype());
            }
        }
        checkFinite("weight", weight);
        if (bias != null) {
            checkFinite("bias", bias);
        }
    }

    static void checkFinite(String name, Tensor t) {
        Finite.check(name, t);
    }

    /** Number of inputs (columns of the weight). */
    public long in() {
        return weight.dim(1);
    }

    /** Number of outputs (rows of the weight). */
    public long out() {
        return weight.dim(0);
    }

    /** Whether the layer has a bias. */
    public boolean hasBias() {
        return bias != null;
    }

    /** Number of parameters: out * in, plus out with a bias. */
    public long parameterCount() {
        return out() * in() + (bias != null ? out() : 0);
    }

    /** The element type. */
    public DType dtype() {
        return weight.dtype();
    }

    /** This layer with both tensors converted to {@code dtype}. */
    public Layer to(DType dtype) {
        return dtype == dtype() ? this : new Layer(weight.to(dtype), bias == null ? null : bias.to(dtype));
    }
}
