package io.github.tangent4j.cli.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Axis tick positions at "nice" values (1, 2 or 5 times a power of ten) and their labels. */
final class Ticks {
    private Ticks() {
    }

    /** About {@code target} ticks at multiples of a nice step inside [lo, hi]. */
    static double[] linear(double lo, double hi, int target) {
        if (!(hi > lo)) {
            return new double[] {lo};
        }
        double raw = (hi - lo) / Math.max(1, target);
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = magnitude;
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * magnitude >= raw) {
                step = m * magnitude;
                break;
            }
        }
        List<Double> ticks = new ArrayList<>();
        for (double v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
            ticks.add(Math.abs(v) < step * 1e-9 ? 0 : v);
        }
        return ticks.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The powers of ten in [lo, hi] (lo > 0), thinned to at most about {@code target}; both ends if none. */
    static double[] log(double lo, double hi, int target) {
        int a = (int) Math.ceil(Math.log10(lo) - 1e-9);
        int b = (int) Math.floor(Math.log10(hi) + 1e-9);
        if (b < a) {
            return new double[] {lo, hi};
        }
        int stride = Math.max(1, (b - a + target) / Math.max(1, target));
        List<Double> ticks = new ArrayList<>();
        for (int e = a; e <= b; e += stride) {
            ticks.add(Math.pow(10, e));
        }
        return ticks.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** A short label: plain for moderate magnitudes, scientific otherwise. */
    static String label(double v) {
        double a = Math.abs(v);
        if (v == 0) {
            return "0";
        }
        if (a >= 1e4 || a < 1e-2) {
            return String.format(Locale.ROOT, "%.0e", v).replace("e+0", "e").replace("e-0", "e-").replace("e+", "e");
        }
        String s = String.format(Locale.ROOT, "%.3f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
