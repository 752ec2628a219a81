package io.github.tangent4j.cli.demo;

/**
 * A map from values to [0, 1] for colouring: linear between {@code min} and {@code max}, or linear in
 * log10 (then {@code min > 0}).
 *
 * @param min the value drawn at the bottom of the colour map
 * @param max the value drawn at the top
 * @param log whether the scale is logarithmic
 */
record ScalarScale(double min, double max, boolean log) {
    /** Checks the range. */
    ScalarScale {
        if (!(max >= min) || log && !(min > 0)) {
            throw new IllegalArgumentException("scale: expected 0 < min <= max for a log scale, min <= max otherwise,"
                    + " but was [" + min + ", " + max + "]" + (log ? " (log)" : ""));
        }
    }

    /** The linear scale over the finite values of {@code values} (a unit range if they are all equal). */
    static ScalarScale linear(double[] values) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            if (Double.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (!(lo <= hi)) {
            return new ScalarScale(0, 1, false);
        }
        return lo == hi ? new ScalarScale(lo - 0.5, hi + 0.5, false) : new ScalarScale(lo, hi, false);
    }

    /** Where {@code v} falls: 0 at min, 1 at max (not clamped). */
    double position(double v) {
        if (max == min) {
            return 0.5;
        }
        return log ? Math.log(v / min) / Math.log(max / min) : (v - min) / (max - min);
    }

    /** The value at position {@code p} in [0, 1]. */
    double value(double p) {
        return log ? min * Math.pow(max / min, p) : min + p * (max - min);
    }

    /** The viridis colour of {@code v}. */
    int colour(double v) {
        return Viridis.rgb(position(v));
    }
}
