package io.github.tangent4j.chunked;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.kernels.EmpiricalNtk;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;

/**
 * The empirical NTK between x and x2 ({@code ntk}): the full kernel (N, N2, O, O) or its trace (N, N2) as
 * a grid of tiles, each {@link EmpiricalNtk#compute} on the tile's rows of x and of x2 (of x on the
 * diagonal tiles of a symmetric kernel); the diagonal blocks (N, O, O) as row blocks.
 *
 * @param kind   full, trace or diagonal
 * @param method structured or materialised
 */
public record EmpiricalNtkChunks(EmpiricalNtk.Kind kind, EmpiricalNtk.Method method) implements ChunkedComputation {
    /** Checks the arguments. */
    public EmpiricalNtkChunks {
        java.util.Objects.requireNonNull(kind, "kind");
        java.util.Objects.requireNonNull(method, "method");
    }

    @Override
    public String subcommand() {
        return "ntk";
    }

    @Override
    public DType dtype(ChunkInputs in) {
        return in.network().dtype();
    }

    @Override
    public long[] shape(ChunkInputs in) {
        return ntk(in).shape(kind, in.x().dim(0), in.right().dim(0));
    }

    @Override
    public boolean grid() {
        return kind != EmpiricalNtk.Kind.DIAGONAL;
    }

    @Override
    public Mirror mirror() {
        return kind == EmpiricalNtk.Kind.FULL ? Mirror.TRANSPOSE_OUTPUTS
                : kind == EmpiricalNtk.Kind.TRACE ? Mirror.TRANSPOSE : Mirror.NONE;
    }

    @Override
    public Tensor block(Backend backend, ChunkInputs in, long rowStart, long rowEnd, long colStart, long colEnd) {
        Tensor rows = in.x().slice(rowStart, rowEnd);
        if (!grid()) {
            return ntk(in).compute(backend, kind, rows, null);
        }
        boolean diagonal = in.x2() == null && rowStart == colStart && rowEnd == colEnd;
        return ntk(in).compute(backend, kind, rows, diagonal ? null : in.right().slice(colStart, colEnd));
    }

    private EmpiricalNtk ntk(ChunkInputs in) {
        return EmpiricalNtk.of(in.network()).withMethod(method);
    }
}
