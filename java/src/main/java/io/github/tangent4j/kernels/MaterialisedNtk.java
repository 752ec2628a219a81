package io.github.tangent4j.kernels;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.jacobian.Jacobians;
import io.github.tangent4j.nn.DeviceMlp;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.Tensor;
import java.util.List;

/**
 * The reference method: materialise the parameter Jacobians J (rows*O x P) of both blocks and contract,
 * {@code Theta = J J'^T}. N*O*P numbers per block; kept for tests and comparisons.
 */
final class MaterialisedNtk implements NtkMethod {
    private final Mlp mlp;
    private final Backend backend;

    MaterialisedNtk(Mlp mlp, Backend backend) {
        this.mlp = mlp;
        this.backend = backend;
    }

    private record Block(DeviceMatrix j, long rows) implements Features {
        @Override
        public void close() {
            j.close();
        }
    }

    @Override
    public Features features(DeviceMlp net, Tensor x, long from, long to) {
        Tensor jp = Jacobians.of(mlp).parameters(backend, x.slice(from, to)).tensor();
        return new Block(backend.upload(jp.reshape((to - from) * mlp.outputDim(), mlp.parameterCount())), to - from);
    }

    @Override
    public long featureBytesPerExample() {
        return 2 * mlp.dtype().byteSize() * mlp.outputDim() * mlp.parameterCount();
    }

    @Override
    public List<DeviceMatrix> tile(Features fa, Features fb, EmpiricalNtk.Kind kind, boolean perLayer) {
        if (perLayer) {
            throw new IllegalArgumentException("perLayer: the materialised method computes the total kernel only");
        }
        Block a = (Block) fa;
        Block b = (Block) fb;
        long o = mlp.outputDim();
        long p = mlp.parameterCount();
        DeviceMatrix t = switch (kind) {
            case FULL -> backend.allocateUninitialised(mlp.dtype(), a.rows() * o, b.rows() * o);
            case TRACE -> backend.allocateUninitialised(mlp.dtype(), a.rows(), b.rows());
            case DIAGONAL -> backend.allocateUninitialised(mlp.dtype(), a.rows() * o, o);
        };
        try {
            switch (kind) {
                case FULL -> backend.gemm(false, true, 1, a.j(), b.j(), 0, t);
                case TRACE -> backend.gemm(false, true, 1, a.j().reshape(a.rows(), o * p), b.j().reshape(b.rows(), o * p),
                        0, t);
                case DIAGONAL -> backend.gemmBatched(Math.toIntExact(a.rows()), false, true, 1, a.j(), a.j(), 0, t);
            }
            return List.of(t);
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }
}
