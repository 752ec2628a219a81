package io.github.tangent4j.symmetry;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.jacobian.Jacobians;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.ParameterLayout;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The L_q path norm of a network with a positively homogeneous activation (Neyshabur, Tomioka and
 * Srebro, "Norm-Based Capacity Control in Neural Networks", COLT 2015): the q-th root of the sum, over
 * every path from an input (or from the constant input 1 of a bias) to an output, of the product of the
 * q-th powers of the absolute weights along it. Summing the paths layer by layer gives
 * <pre>
 *   v_0 = 1_D,   v_l = |W_l|^q v_{l-1} + |b_l|^q,   per output o: (v_L)_o^(1/q),   total: (1^T v_L)^(1/q)
 * </pre>
 * that is one forward pass of the network with parameters {@code |theta|^q} and identity activation on
 * the input {@code 1_D}, run on the backend. The weights are the effective ones of the parameterization
 * ({@link EffectiveNetwork}). The path norm does not change under positive rescalings and permutations
 * of hidden units.
 *
 * <p>{@link #gradient} is the gradient with respect to the stored parameters, by the chain rule through
 * the VJP of that |theta|^q network ({@link Jacobians#vjpParameters}), for path-norm regularisation
 * (subgradient 0 at a zero parameter when q = 1). Immutable.
 *
 * @param mlp the network (positively homogeneous activation)
 * @param q   the exponent, finite and >= 1
 */
public record PathNorm(Mlp mlp, double q) {
    /**
     * The path norms.
     *
     * @param q         the exponent
     * @param total     {@code (1^T v_L)^(1/q)}
     * @param perOutput {@code (v_L)^(1/q)}, one per output (O,)
     */
    public record Result(double q, double total, double[] perOutput) {
    }

    /**
     * Checks the network and the exponent.
     *
     * @throws IllegalArgumentException if the activation is not relu, leaky_relu, abs or identity, or unless q
     *                                  is finite and >= 1
     */
    public PathNorm {
        Homogeneous.require(mlp);
        if (!(q >= 1) || Double.isInfinite(q)) {
            throw new IllegalArgumentException("q: expected a finite number >= 1 but was " + q);
        }
    }

    /**
     * The L_1 path norm of {@code mlp}.
     *
     * @throws IllegalArgumentException if the activation is not relu, leaky_relu, abs or identity
     */
    public static PathNorm of(Mlp mlp) {
        return new PathNorm(mlp, 1);
    }

    /**
     * A copy computing the L_q path norm.
     *
     * @throws IllegalArgumentException unless q is finite and >= 1
     */
    public PathNorm withQ(double q) {
        return new PathNorm(mlp, q);
    }

    /** The path norms, by one forward pass of the |theta|^q network on {@code backend}. */
    public Result compute(Backend backend) {
        Mlp powered = powered();
        Tensor v = powered.forward(backend, ones(powered.dtype(), mlp.inputDim()));
        double[] per = new double[Math.toIntExact(mlp.outputDim())];
        double sum = 0;
        for (int o = 0; o < per.length; o++) {
            double s = v.getFlat(o);
            sum += s;
            per[o] = root(s);
        }
        return new Result(q, root(sum), per);
    }

    /**
     * The gradient of the total path norm with respect to the stored parameters, shape (P,) in state-dict
     * order and the network's dtype: with {@code S = 1^T v_L} and {@code u = |theta_eff|^q},
     * {@code d S^(1/q) / d theta = S^(1/q - 1) |theta_eff|^(q-1) sign(theta_eff) (d S / d u) s}, where
     * {@code d S / d u} is the parameter VJP of the |theta|^q network at the input 1_D with cotangent 1_O and
     * s the parameterization's factor of the parameter. Zero when the path norm is zero.
     */
    public Tensor gradient(Backend backend) {
        Mlp effective = EffectiveNetwork.of(mlp);
        Mlp powered = powered();
        Tensor ones = ones(powered.dtype(), mlp.inputDim());
        double sum = 0;
        Tensor v = powered.forward(backend, ones);
        for (long o = 0; o < v.size(); o++) {
            sum += v.getFlat(o);
        }
        Tensor cot = Tensor.allocate(powered.dtype(), 1, mlp.outputDim());
        for (long o = 0; o < cot.size(); o++) {
            cot.setFlat(o, 1);
        }
        Tensor dsdu = Jacobians.of(powered).vjpParameters(backend, ones, cot);
        Tensor grad = Tensor.allocate(mlp.dtype(), mlp.parameterCount());
        if (sum == 0) {
            return grad;
        }
        double outer = Math.pow(sum, 1 / q - 1);
        ParameterLayout layout = ParameterLayout.of(mlp);
        Parameterization p = mlp.parameterization();
        for (int l = 0; l < mlp.layers().size(); l++) {
            Layer layer = effective.layers().get(l);
            chain(layer.weight(), dsdu, grad, layout.weightOffset(l), outer * p.weightScale(layer.in()));
            if (layer.hasBias()) {
                chain(layer.bias(), dsdu, grad, layout.biasOffset(l), outer * p.biasScale());
            }
        }
        return grad;
    }

    private void chain(Tensor theta, Tensor dsdu, Tensor grad, long offset, double factor) {
        for (long i = 0; i < theta.size(); i++) {
            double t = theta.getFlat(i);
            double d = t == 0 ? 0 : Math.signum(t) * (q == 1 ? 1 : Math.pow(Math.abs(t), q - 1));
            grad.setFlat(offset + i, factor * d * dsdu.getFlat(offset + i));
        }
    }

    /** The network with parameters {@code |theta_eff|^q}, identity activation, STANDARD. */
    private Mlp powered() {
        List<Layer> layers = new ArrayList<>();
        for (Layer layer : EffectiveNetwork.of(mlp).layers()) {
            layers.add(new Layer(power(layer.weight()), layer.hasBias() ? power(layer.bias()) : null));
        }
        return new Mlp(layers, Activation.IDENTITY, Parameterization.STANDARD);
    }

    private Tensor power(Tensor t) {
        Tensor c = Tensor.allocate(t.dtype(), t.shape());
        for (long i = 0; i < t.size(); i++) {
            double a = Math.abs(t.getFlat(i));
            c.setFlat(i, q == 1 ? a : Math.pow(a, q));
        }
        return c;
    }

    private double root(double s) {
        return q == 1 ? s : Math.pow(s, 1 / q);
    }

    private static Tensor ones(io.github.tangent4j.tensor.DType dtype, long d) {
        Tensor x = Tensor.allocate(dtype, 1, d);
        for (long i = 0; i < d; i++) {
            x.setFlat(i, 1);
        }
        return x;
    }

    @Override
    public String toString() {
        return "PathNorm(q = " + q + ", " + mlp + ")";
    }
}
