package io.github.tangent4j.nn;

import java.util.Locale;
import java.util.Objects;
import org.apache.commons.numbers.gamma.Erf;

/**
 * A pointwise nonlinearity phi and its derivative: the scalar definition that every backend's
 * elementwise kernels implement. Derivatives at a kink follow PyTorch: {@code relu'(0) = 0},
 * {@code leaky_relu'(0) = slope}, {@code abs'(0) = 0}. Values propagate NaN (as PyTorch's do).
 *
 * <p>A network concept, so it lives in {@code nn}; the backends' elementwise primitives
 * ({@link io.github.tangent4j.backend.Backend#activate}) take it as the scalar function to apply and
 * still know nothing about networks.
 *
 * @param kind  which function
 * @param slope the negative-side slope of {@link Kind#LEAKY_RELU}; 0 for every other kind
 */
public record Activation(Kind kind, double slope) {
    /** The functions tangent4j implements. */
    public enum Kind {
        /** max(0, x). */
        RELU,
        /** x for x &gt; 0, slope * x otherwise. */
        LEAKY_RELU,
        /** |x|. */
        ABS,
        /** tanh(x). */
        TANH,
        /** The error function erf(x). */
        ERF,
        /** x. */
        IDENTITY
    }

    /** PyTorch's default leaky ReLU slope. */
    public static final double DEFAULT_LEAKY_SLOPE = 0.01;
    /** max(0, x). */
    public static final Activation RELU = new Activation(Kind.RELU, 0);
    /** |x|. */
    public static final Activation ABS = new Activation(Kind.ABS, 0);
    /** tanh(x). */
    public static final Activation TANH = new Activation(Kind.TANH, 0);
    /** erf(x). */
    public static final Activation ERF = new Activation(Kind.ERF, 0);
    /** x. */
    public static final Activation IDENTITY = new Activation(Kind.IDENTITY, 0);

    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    /** Validates the slope: finite, and 0 unless the kind is leaky ReLU. */
    public Activation {
        Objects.requireNonNull(kind, "kind");
        if (!Double.isFinite(slope)) {
            throw new IllegalArgumentException("slope: expected a finite number but was " + slope);
        }
        if (kind != Kind.LEAKY_RELU && slope != 0) {
            throw new IllegalArgumentException("slope: only leaky_relu has a slope, but " + kind + " got " + slope);
        }
    }

    /** Leaky ReLU with the given negative-side slope. */
    public static Activation leakyRelu(double slope) {
        return new Activation(Kind.LEAKY_RELU, slope);
    }

    /**
     * Parses the command-line spelling: {@code relu}, {@code leaky_relu} (slope 0.01),
     * {@code leaky_relu:SLOPE}, {@code abs}, {@code tanh}, {@code erf}, {@code identity}.
     *
     * @throws IllegalArgumentException naming the accepted spellings
     */
    public static Activation parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.startsWith("leaky_relu:")) {
            String s = t.substring("leaky_relu:".length());
            try {
                return leakyRelu(Double.parseDouble(s));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("activation: leaky_relu slope must be a number but was '" + s + "'");
            }
        }
        return switch (t) {
            case "relu" -> RELU;
            case "leaky_relu" -> leakyRelu(DEFAULT_LEAKY_SLOPE);
            case "abs" -> ABS;
            case "tanh" -> TANH;
            case "erf" -> ERF;
            case "identity", "linear" -> IDENTITY;
            default -> throw new IllegalArgumentException("activation: expected relu, leaky_relu[:SLOPE], abs, "
                    + "tanh, erf or identity but was '" + text + "'");
        };
    }

    /** phi(x). */
    public double value(double x) {
        return switch (kind) {
            case RELU -> x > 0 || Double.isNaN(x) ? x : 0;
            case LEAKY_RELU -> x > 0 ? x : slope * x;
            case ABS -> Math.abs(x);
            case TANH -> Math.tanh(x);
            case ERF -> Erf.value(x);
            case IDENTITY -> x;
        };
    }

    /** phi'(x), with the kink conventions of the class comment. */
    public double derivative(double x) {
        return switch (kind) {
            case RELU -> x > 0 ? 1 : 0;
            case LEAKY_RELU -> x > 0 ? 1 : slope;
            case ABS -> x > 0 ? 1 : x < 0 ? -1 : 0;
            case TANH -> {
                double t = Math.tanh(x);
                yield 1 - t * t;
            }
            case ERF -> TWO_OVER_SQRT_PI * Math.exp(-x * x);
            case IDENTITY -> 1;
        };
    }

    /** Whether phi is piecewise linear (its derivative is a step function). */
    public boolean isPiecewiseLinear() {
        return kind != Kind.TANH && kind != Kind.ERF;
    }

    /** The command-line spelling, parseable by {@link #parse}. */
    @Override
    public String toString() {
        return kind == Kind.LEAKY_RELU ? "leaky_relu:" + slope : kind.name().toLowerCase(Locale.ROOT);
    }
}
