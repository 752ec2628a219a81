package io.github.tangent4j.chunked;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.jacobian.Jacobians;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.patterns.ActivationPatterns;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;

/**
 * The per-example outputs, tiled by rows of x: {@code forward} f(x) (N, O); {@code jacobian} d f/d x
 * (N, O, D), its squared norms (N,), or d f/d theta (N, O, P); {@code patterns} (N, H) booleans. Each
 * block is the family's own result on the block's rows of x.
 *
 * @param output what to compute
 * @param mode   the input Jacobian's sweep (for {@link Output#INPUT_JACOBIAN} and {@link Output#INPUT_NORMS})
 */
public record RowChunks(Output output, Jacobians.Mode mode) implements ChunkedComputation {
    /** The per-example outputs. */
    public enum Output {
        /** f(x), (N, O). */
        FORWARD,
        /** d f/d x, (N, O, D). */
        INPUT_JACOBIAN,
        /** ||d f/d x||_F^2, (N,). */
        INPUT_NORMS,
        /** d f/d theta, (N, O, P). */
        PARAMETER_JACOBIAN,
        /** Pre-activation > 0 per hidden unit, (N, H) booleans. */
        PATTERNS
    }

    /** Checks the arguments. */
    public RowChunks {
        java.util.Objects.requireNonNull(output, "output");
        java.util.Objects.requireNonNull(mode, "mode");
    }

    @Override
    public String subcommand() {
        return switch (output) {
            case FORWARD -> "forward";
            case PATTERNS -> "patterns";
            default -> "jacobian";
        };
    }

    @Override
    public DType dtype(ChunkInputs in) {
        return output == Output.PATTERNS ? DType.BOOL : in.network().dtype();
    }

    @Override
    public long[] shape(ChunkInputs in) {
        Mlp mlp = in.network();
        long n = in.x().dim(0);
        return switch (output) {
            case FORWARD -> new long[] {n, mlp.outputDim()};
            case INPUT_JACOBIAN -> new long[] {n, mlp.outputDim(), mlp.inputDim()};
            case INPUT_NORMS -> new long[] {n};
            case PARAMETER_JACOBIAN -> new long[] {n, mlp.outputDim(), mlp.parameterCount()};
            case PATTERNS -> new long[] {n, mlp.hiddenUnits()};
        };
    }

    @Override
    public boolean grid() {
        return false;
    }

    @Override
    public Tensor block(Backend backend, ChunkInputs in, long rowStart, long rowEnd, long colStart, long colEnd) {
        Mlp mlp = in.network();
        Tensor x = in.x().slice(rowStart, rowEnd);
        Jacobians jac = Jacobians.of(mlp).withMode(mode);
        return switch (output) {
            case FORWARD -> mlp.forward(backend, x);
            case INPUT_JACOBIAN -> jac.input(backend, x);
            case INPUT_NORMS -> jac.inputNorms(backend, x).perExample();
            case PARAMETER_JACOBIAN -> jac.parameters(backend, x).tensor();
            case PATTERNS -> ActivationPatterns.of(mlp).compute(backend, x, null).toBooleans();
        };
    }
}
