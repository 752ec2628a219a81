package io.github.tangent4j.cli.demo;

/** Mean and sample standard deviation of a few numbers (over seeds). */
final class Stats {
    private Stats() {
    }

    /** The mean of {@code v}. */
    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** The sample standard deviation (0 for fewer than two values). */
    static double std(double[] v, double mean) {
        if (v.length < 2) {
            return 0;
        }
        double s = 0;
        for (double x : v) {
            s += (x - mean) * (x - mean);
        }
        return Math.sqrt(s / (v.length - 1));
    }
}
