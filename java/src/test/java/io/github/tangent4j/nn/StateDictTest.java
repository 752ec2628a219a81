package io.github.tangent4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateDictTest {
    @Test
    void readsPyTorchSequentialNamingWithGapsAndNumericOrder() {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        // Deliberately out of order, and with index 10 (sorts before 2 as a string).
        sd.put("10.weight", Tensor.allocate(DType.F32, 1, 5));
        sd.put("0.weight", Tensor.allocate(DType.F32, 4, 3));
        sd.put("0.bias", Tensor.allocate(DType.F32, 4));
        sd.put("2.weight", Tensor.allocate(DType.F32, 5, 4));
        sd.put("2.bias", Tensor.allocate(DType.F32, 5));
        Mlp mlp = StateDict.toMlp(sd, Activation.TANH, "m.npz");
        assertArrayEquals(new long[] {3, 4, 5, 1}, mlp.widths());
        assertTrue(mlp.layers().get(0).hasBias());
        assertFalse(mlp.layers().get(2).hasBias());
        assertEquals(DType.F32, mlp.dtype());
        assertEquals(Activation.TANH, mlp.activation());
    }

    @Test
    void acceptsOneSharedPrefix() {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("net.0.weight", Tensor.allocate(DType.F64, 2, 3));
        sd.put("net.1.weight", Tensor.allocate(DType.F64, 1, 2));
        assertArrayEquals(new long[] {3, 2, 1}, StateDict.toMlp(sd, Activation.RELU, "f").widths());
        sd.put("other.2.weight", Tensor.allocate(DType.F64, 1, 1));
        var e = assertThrows(IllegalArgumentException.class, () -> StateDict.toMlp(sd, Activation.RELU, "f"));
        assertTrue(e.getMessage().contains("other.2.weight") && e.getMessage().contains("'net.'"), e.getMessage());
    }

    @Test
    void roundTripsThroughFromMlp() {
        Mlp mlp = Mlp.random(4, Activation.RELU, Parameterization.STANDARD, DType.F64, 3, 4, 2);
        Map<String, Tensor> sd = StateDict.fromMlp(mlp);
        assertEquals(java.util.List.of("0.weight", "0.bias", "2.weight", "2.bias"), java.util.List.copyOf(sd.keySet()));
        Mlp back = StateDict.toMlp(sd, Activation.RELU, "x");
        assertArrayEquals(mlp.layers().get(1).weight().toDoubleArray(), back.layers().get(1).weight().toDoubleArray());
    }

    @Test
    void namesTheSourceKeyAndShapesOnBadInput() {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("0.weight", Tensor.allocate(DType.F64, 4, 3));
        sd.put("2.weight", Tensor.allocate(DType.F64, 2, 7));
        var e = assertThrows(IllegalArgumentException.class, () -> StateDict.toMlp(sd, Activation.RELU, "m.npz"));
        assertTrue(e.getMessage().startsWith("m.npz: ") && e.getMessage().contains("(4, 3)")
                && e.getMessage().contains("(2, 7)"), e.getMessage());

        Map<String, Tensor> bias = new LinkedHashMap<>();
        bias.put("0.weight", Tensor.allocate(DType.F64, 4, 3));
        bias.put("0.bias", Tensor.allocate(DType.F64, 3));
        e = assertThrows(IllegalArgumentException.class, () -> StateDict.toMlp(bias, Activation.RELU, "m.npz"));
        assertTrue(e.getMessage().contains("'0'") && e.getMessage().contains("(4,)"), e.getMessage());

        Map<String, Tensor> orphan = Map.of("0.weight", Tensor.allocate(DType.F64, 4, 3),
                "1.bias", Tensor.allocate(DType.F64, 4));
        e = assertThrows(IllegalArgumentException.class, () -> StateDict.toMlp(orphan, Activation.RELU, "s"));
        assertTrue(e.getMessage().contains("'1.bias'"), e.getMessage());

        Map<String, Tensor> junk = Map.of("0.running_mean", Tensor.allocate(DType.F64, 4));
        e = assertThrows(IllegalArgumentException.class, () -> StateDict.toMlp(junk, Activation.RELU, "s"));
        assertTrue(e.getMessage().contains("0.running_mean"), e.getMessage());

        Map<String, Tensor> ints = Map.of("0.weight", Tensor.allocate(DType.I64, 4, 3));
        e = assertThrows(IllegalArgumentException.class, () -> StateDict.toMlp(ints, Activation.RELU, "s"));
        assertTrue(e.getMessage().contains("I64"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> StateDict.toMlp(Map.of(), Activation.RELU, "s"));
        assertTrue(e.getMessage().contains("no arrays"), e.getMessage());
    }
}
