package io.github.tangent4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.nn.Activation;
import java.util.List;
import org.junit.jupiter.api.Test;

class ActivationTest {
    private static final List<Activation> ALL = List.of(Activation.RELU, Activation.leakyRelu(0.3), Activation.ABS,
            Activation.TANH, Activation.ERF, Activation.IDENTITY);

    @Test
    void derivativeMatchesCentralDifferencesAwayFromKinks() {
        double h = 1e-6;
        for (Activation phi : ALL) {
            for (double x = -3.1; x < 3.2; x += 0.37) {
                double fd = (phi.value(x + h) - phi.value(x - h)) / (2 * h);
                assertEquals(fd, phi.derivative(x), 1e-8, phi + " at " + x);
            }
        }
    }

    @Test
    void kinkConventionsFollowPyTorch() {
        assertEquals(0, Activation.RELU.derivative(0));
        assertEquals(0.3, Activation.leakyRelu(0.3).derivative(0));
        assertEquals(0, Activation.ABS.derivative(0));
        assertEquals(0, Activation.ABS.derivative(-0.0));
        assertEquals(1, Activation.IDENTITY.derivative(0));
    }

    @Test
    void erfIsAccurateToDoublePrecision() {
        // Reference values of erf from tables (Abramowitz and Stegun 7.1), to 16 digits.
        assertEquals(0.8427007929497149, Activation.ERF.value(1), 1e-16);
        assertEquals(0.5204998778130465, Activation.ERF.value(0.5), 1e-16);
        assertEquals(-0.9953222650189527, Activation.ERF.value(-2), 1e-16);
        assertEquals(2 / Math.sqrt(Math.PI), Activation.ERF.derivative(0), 1e-16);
    }

    @Test
    void parsesCommandLineSpellingsAndRoundTrips() {
        for (Activation phi : ALL) {
            assertEquals(phi, Activation.parse(phi.toString()));
        }
        assertEquals(Activation.leakyRelu(0.01), Activation.parse("leaky_relu"));
        var e = assertThrows(IllegalArgumentException.class, () -> Activation.parse("gelu"));
        assertTrue(e.getMessage().contains("'gelu'") && e.getMessage().contains("relu"), e.getMessage());
        var f = assertThrows(IllegalArgumentException.class, () -> Activation.parse("leaky_relu:abc"));
        assertTrue(f.getMessage().contains("'abc'"), f.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Activation.leakyRelu(Double.NaN));
    }
}
