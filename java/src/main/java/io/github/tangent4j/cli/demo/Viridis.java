package io.github.tangent4j.cli.demo;

/**
 * The viridis colour map (Stéfan van der Walt and Nathaniel Smith, matplotlib 1.5, 2015; "A Better
 * Default Colormap for Matplotlib", SciPy 2015): perceptually uniform, readable in grey scale and by
 * the common forms of colour blindness. Interpolated linearly in sRGB between nine equally spaced
 * control points, the published {@code viridis(9)} palette of the R package viridisLite (Garnier et
 * al.), which samples matplotlib's 256-entry table.
 */
final class Viridis {
    private static final int[] CONTROL = {
        0x440154, 0x472D7B, 0x3B528B, 0x2C728E, 0x21908C, 0x27AD81, 0x5DC863, 0xAADC32, 0xFDE725,
    };

    private Viridis() {
    }

    /** The colour (RGB) at {@code t} in [0, 1] (clamped; NaN gives mid-grey). */
    static int rgb(double t) {
        if (Double.isNaN(t)) {
            return 0x808080;
        }
        double x = Math.min(1, Math.max(0, t)) * (CONTROL.length - 1);
        int i = Math.min((int) x, CONTROL.length - 2);
        double f = x - i;
        int a = CONTROL[i];
        int b = CONTROL[i + 1];
        return mix(a >> 16, b >> 16, f) << 16 | mix(a >> 8 & 0xFF, b >> 8 & 0xFF, f) << 8 | mix(a & 0xFF, b & 0xFF, f);
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round(a + (b - a) * f);
    }
}
