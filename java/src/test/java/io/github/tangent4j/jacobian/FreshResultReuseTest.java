package io.github.tangent4j.jacobian;

import static io.github.tangent4j.jacobian.JacobiansTest.inputs;
import static io.github.tangent4j.jacobian.JacobiansTest.network;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.NativeMemory;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.tensor.TensorSink;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A fresh result may reuse the block of a result the caller dropped ({@code NativeMemory.allocateCollected}):
 * the block is filled with NaN and dropped, the Jacobian computed again into it, and every bit must equal the
 * same Jacobian computed into a zero-filled output, so no stale element survives in the reused block.
 */
class FreshResultReuseTest {
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.github.tangent4j.jacobian.JacobiansTest#backendsAndDtypes")
    void aReusedBlockIsOverwrittenCompletely(String backendName, DType dtype) {
        Mlp mlp = network(41, Activation.RELU, Parameterization.STANDARD, dtype, 200, 64, 10);
        Tensor x = inputs(42, dtype, 160, 200);
        for (Jacobians.Kind kind : new Jacobians.Kind[] {Jacobians.Kind.INPUT, Jacobians.Kind.PARAMETERS}) {
            Jacobians j = Jacobians.of(mlp).withKind(kind);
            long n = kind == Jacobians.Kind.INPUT ? 160 : 10;
            Tensor xs = x.slice(0, n);
            TestBackends.with(backendName, backend -> {
                Tensor reference = Tensor.allocate(dtype, j.shape(n, 0));
                j.computeInto(backend, xs, null, TensorSink.of(reference));
                assertTrue(reference.byteSize() >= 1L << 20, "the result must be large enough to be pooled");
                long poisoned = poisonAndDrop(dtype, reference.shape());
                Tensor fresh = j.compute(backend, xs, null);
                assertEquals(poisoned, fresh.segment().address(), kind + ": the dropped block was not reused");
                assertTrue(fresh.segment().mismatch(reference.segment()) < 0, kind + ": the reused block differs");
            });
        }
    }

    /** Allocates a block of {@code shape}, fills it with NaN, drops it and waits until it is pooled; its address. */
    private static long poisonAndDrop(DType dtype, long[] shape) {
        releaseDropped();   // so that the only block released below is this one
        Tensor t = Tensor.allocateUninitialised(dtype, shape);
        t.segment().fill((byte) 0xFF);   // NaN in F32 and F64
        long address = t.segment().address();
        long pooled = NativeMemory.pooledBytes();
        t = null;
        releaseDropped();
        assertTrue(NativeMemory.pooledBytes() > pooled, "the dropped block was not pooled");
        return address;
    }

    /** Collects until the bytes of live uninitialised blocks stop changing: every dropped one is released. */
    private static void releaseDropped() {
        try {
            for (long was = -1; NativeMemory.collectedBytes() != was; Thread.sleep(20)) {
                was = NativeMemory.collectedBytes();
                System.gc();
            }
        } catch (InterruptedException e) {
            throw new AssertionError("interrupted", e);
        }
    }
}
