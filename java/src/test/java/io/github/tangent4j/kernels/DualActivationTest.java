package io.github.tangent4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.tangent4j.nn.Activation;
import org.junit.jupiter.api.Test;

/**
 * The closed-form dual activations against numerical integration of their definition, their partial
 * derivatives against finite differences, and the vector loops against the scalar ones.
 */
class DualActivationTest {
    static final double[][] TRIPLES = {{1.3, 0.7, 0.4}, {2.0, 0.5, -0.9}, {0.8, 0.8, 0.79}, {1.1, 2.5, -0.2}};

    /**
     * {@code E[g1(u) g2(v)]} by polar quadrature of the 2-D standard normal (z1, z2):
     * {@code u = sqrt(q1) z1}, {@code v = sqrt(q2) (c z1 + sqrt(1 - c^2) z2)}; Simpson in r on [0, 12]
     * and the midpoint rule in the angle.
     */
    static double expectation(java.util.function.DoubleUnaryOperator g1, java.util.function.DoubleUnaryOperator g2,
            double q1, double q2, double k, int radial, int angular) {
        double c = k / Math.sqrt(q1 * q2);
        double s = Math.sqrt(1 - c * c);
        double rMax = 12;
        double h = rMax / radial;
        double total = 0;
        for (int ir = 0; ir <= radial; ir++) {
            double r = ir * h;
            double weight = (ir == 0 || ir == radial) ? 1 : (ir % 2 == 1 ? 4 : 2);
            double ang = 0;
            for (int it = 0; it < angular; it++) {
                double t = 2 * Math.PI * (it + 0.5) / angular;
                double z1 = r * Math.cos(t);
                double z2 = r * Math.sin(t);
                ang += g1.applyAsDouble(Math.sqrt(q1) * z1) * g2.applyAsDouble(Math.sqrt(q2) * (c * z1 + s * z2));
            }
            total += weight * r * Math.exp(-r * r / 2) * ang / angular;
        }
        return total * h / 3;
    }

    @Test
    void closedFormsEqualTheirDefiningIntegrals() {
        for (Activation phi : InfiniteWidthKernelTest.ACTIVATIONS) {
            DualActivation dual = DualActivation.of(phi);
            for (double[] t : TRIPLES) {
                double value = expectation(phi::value, phi::value, t[0], t[1], t[2], 300, 3000);
                double deriv = expectation(phi::derivative, phi::derivative, t[0], t[1], t[2], 300, 3000);
                assertEquals(value, dual.value(t[0], t[1], t[2]), 1e-6, phi + " value");
                // the derivative of the ReLU family is a step: the midpoint rule converges like 1/angular
                assertEquals(deriv, dual.derivative(t[0], t[1], t[2]), phi.isPiecewiseLinear() ? 2e-3 : 1e-6,
                        phi + " derivative");
            }
        }
    }

    @Test
    void partialsEqualFiniteDifferences() {
        double h = 1e-5;
        for (Activation phi : InfiniteWidthKernelTest.ACTIVATIONS) {
            DualActivation dual = DualActivation.of(phi);
            double[] out = new double[3];
            for (double[] t : TRIPLES) {
                dual.valuePartials(t[0], t[1], t[2], out);
                assertEquals((dual.value(t[0] + h, t[1], t[2]) - dual.value(t[0] - h, t[1], t[2])) / (2 * h), out[0],
                        1e-8, phi + " dF/dq1");
                assertEquals((dual.value(t[0], t[1] + h, t[2]) - dual.value(t[0], t[1] - h, t[2])) / (2 * h), out[1],
                        1e-8, phi + " dF/dq2");
                assertEquals((dual.value(t[0], t[1], t[2] + h) - dual.value(t[0], t[1], t[2] - h)) / (2 * h), out[2],
                        1e-8, phi + " dF/dk");
                double q = t[0];
                assertEquals((dual.value(q + h, q + h, q + h) - dual.value(q - h, q - h, q - h)) / (2 * h),
                        dual.diagonalSlope(q), 1e-8, phi + " diagonal slope");
                if (!phi.isPiecewiseLinear()) {
                    dual.derivativePartials(t[0], t[1], t[2], out);
                    assertEquals((dual.derivative(t[0] + h, t[1], t[2]) - dual.derivative(t[0] - h, t[1], t[2]))
                            / (2 * h), out[0], 1e-8, phi + " dFdot/dq1");
                    assertEquals((dual.derivative(t[0], t[1] + h, t[2]) - dual.derivative(t[0], t[1] - h, t[2]))
                            / (2 * h), out[1], 1e-8, phi + " dFdot/dq2");
                    assertEquals((dual.derivative(t[0], t[1], t[2] + h) - dual.derivative(t[0], t[1], t[2] - h))
                            / (2 * h), out[2], 1e-8, phi + " dFdot/dk");
                }
            }
        }
    }
}
