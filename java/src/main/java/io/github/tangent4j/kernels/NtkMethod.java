package io.github.tangent4j.kernels;

import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.nn.DeviceMlp;
import io.github.tangent4j.tensor.Tensor;
import java.util.List;

/**
 * One way to compute empirical-NTK tiles: what it keeps per block of examples ("features") and how two
 * blocks become a tile. Tiles come back on the backend in the layouts {@link EmpiricalNtk} scatters:
 * FULL (|I|*O x |J|*O) with rows (i, o) and columns (j, o'); TRACE (|I| x |J|); DIAGONAL (|I|*O x O).
 */
interface NtkMethod {
    /** What one block of examples contributes to every tile it is in. */
    interface Features extends AutoCloseable {
        @Override
        void close();
    }

    /** The features of rows {@code [from, to)} of x. */
    Features features(DeviceMlp net, Tensor x, long from, long to);

    /** Device bytes per example of {@link #features}, for tile sizing. */
    long featureBytesPerExample();

    /**
     * The tile between blocks a and b: one matrix, or with {@code perLayer} one per layer (first to last).
     * The caller closes them.
     */
    List<DeviceMatrix> tile(Features a, Features b, EmpiricalNtk.Kind kind, boolean perLayer);
}
