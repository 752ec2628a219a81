package io.github.tangent4j.backend.internal;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;

/**
 * Stacks of one block repeated for every example, built by one rank-1 GEMM (no per-example copies): the families'
 * sweeps and {@link AbstractBackend}'s dense {@code hadamardGemm} of a shared block.
 */
public final class Broadcast {
    private Broadcast() {
    }

    /**
     * {@code copies} copies of {@code alpha * block} stacked along the rows: a new
     * ({@code copies * block.rows()} x {@code block.cols()}) matrix, computed as the outer product of a
     * column of ones with the flattened block.
     */
    public static DeviceMatrix stack(Backend backend, DeviceMatrix block, long copies, double alpha) {
        DeviceMatrix out = backend.allocateUninitialised(block.dtype(), copies * block.rows(), block.cols());
        try (DeviceMatrix ones = backend.allocateUninitialised(block.dtype(), copies, 1)) {
            backend.fill(ones, 1);
            backend.gemm(false, false, alpha, ones, block.reshape(1, block.size()), 0,
                    out.reshape(copies, block.size()));
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }
}
