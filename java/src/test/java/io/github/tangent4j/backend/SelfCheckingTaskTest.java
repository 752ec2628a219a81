package io.github.tangent4j.backend;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.tensor.TensorSink;
import org.junit.jupiter.api.Test;

/**
 * {@link TileEngine#runInto} scans a task's blocks for overflow unless the task is a
 * {@link TileEngine.SelfCheckingRowBlockTask}, whose own check is then the only one.
 */
class SelfCheckingTaskTest {
    @Test
    void theEngineScansPlainTasksAndLeavesSelfCheckingOnesToThemselves() {
        TestBackends.with("java", b -> {
            Tensor out = Tensor.allocate(DType.F64, 6, 2);
            TileEngine engine = TileEngine.of(b, 16).withMaxTileRows(3);
            TileEngine.RowBlockTask infinite = (scope, from, to, block) -> block.setFlat(1, Double.POSITIVE_INFINITY);
            ArithmeticException e = assertThrows(ArithmeticException.class,
                    () -> engine.runInto(TensorSink.of(out), infinite));
            assertEquals(true, e.getMessage().contains("element (0, 1)"), e.getMessage());
            assertDoesNotThrow(() -> engine.runInto(TensorSink.of(out), (TileEngine.SelfCheckingRowBlockTask) infinite::run));
            assertEquals(Double.POSITIVE_INFINITY, out.get(3, 1));
        });
    }
}
