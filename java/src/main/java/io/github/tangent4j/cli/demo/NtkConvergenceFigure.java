package io.github.tangent4j.cli.demo;

import io.github.tangent4j.cli.demo.Figure.Rendered;
import io.github.tangent4j.kernels.EmpiricalNtk;
import io.github.tangent4j.kernels.InfiniteWidthKernel;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Architecture;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;

/**
 * Figure 3: the empirical NTK of random networks of growing width beside the analytic infinite-width
 * NTK on the same points (heat maps on one colour scale), and the relative Frobenius distance
 * {@code ||Theta_width - Theta||_F / ||Theta||_F} against width on log-log axes with a least-squares
 * slope (Jacot, Gabriel and Hongler 2018: the empirical NTK converges to the analytic one, with
 * fluctuations of order 1/sqrt(width)). Points: equally spaced on the unit circle of R^2, so the kernel
 * is a function of the angle between them.
 */
final class NtkConvergenceFigure implements FigureBody {
    static final String CAPTION = "The empirical NTK of random ReLU networks beside the analytic infinite-width "
            + "NTK, and their relative distance against width on log-log axes with a "
            + "1/sqrt(width) reference.";

    static final int DEPTH = 2;
    static final double SIGMA_W2 = 2;
    static final double SIGMA_B2 = 0.1;

    @Override
    public Rendered render(DemoContext ctx) {
        int n = ctx.size(48, 12);
        int[] widths = ctx.sizes(new int[] {16, 32, 64, 128, 256, 512, 1024, 2048}, new int[] {8, 32});
        int seeds = ctx.size(4, 2);
        Tensor x = circle(n);
        Tensor analytic = InfiniteWidthKernel.of(Architecture.ntkVariances(Activation.RELU, DEPTH, SIGMA_W2, SIGMA_B2))
                .compute(ctx.backend(), x, null).outputNtk();
        double[] exact = analytic.toDoubleArray();
        double norm = frobenius(exact, null);
        double[] mean = new double[widths.length];
        double[] std = new double[widths.length];
        double[] smallest = null;
        double[] largest = null;
        for (int w = 0; w < widths.length; w++) {
            double[] d = new double[seeds];
            for (int s = 0; s < seeds; s++) {
                double[] empirical = EmpiricalNtk.of(network(widths[w], s)).trace(ctx.backend(), x, null)
                        .toDoubleArray();
                d[s] = frobenius(empirical, exact) / norm;
                if (s == 0 && w == 0) {
                    smallest = empirical;
                }
                if (s == 0 && w == widths.length - 1) {
                    largest = empirical;
                }
            }
            mean[w] = Stats.mean(d);
            std[w] = Stats.std(d, mean[w]);
        }
        double slope = logLogSlope(widths, mean);
        ScalarScale scale = ScalarScale.linear(concat(exact, smallest, largest));
        List<BufferedImage> panels = new ArrayList<>();
        panels.add(heatmap(exact, n, "analytic NTK (infinite width)", scale));
        panels.add(heatmap(smallest, n, "empirical NTK, width " + widths[0], scale));
        panels.add(heatmap(largest, n, "empirical NTK, width " + widths[widths.length - 1], scale));
        panels.add(Charts.image(distanceChart(widths, mean, std)));
        String details = String.format(Locale.ROOT,
                "Empirical NTK (kernels.EmpiricalNtk: structured derivatives, no parameter Jacobian materialised) of"
                        + " random ReLU networks with %d hidden layers in the NTK parameterization (sigma_w^2 = %s,"
                        + " sigma_b^2 = %s) on %d equally spaced points of the unit circle, beside the analytic NTK of"
                        + " the same architecture (kernels.InfiniteWidthKernel); right: relative Frobenius distance,"
                        + " mean +- standard deviation over %d seeds, from %.3f at width %d to %.4f at width %d:"
                        + " least-squares log-log slope %.2f (theory: -0.5).",
                DEPTH, Ticks.label(SIGMA_W2), Ticks.label(SIGMA_B2), n, seeds, mean[0], widths[0],
                mean[widths.length - 1], widths[widths.length - 1], slope);
        return new Rendered(Panels.row(panels), CAPTION, details,
                n + " points, widths " + widths[0] + ".." + widths[widths.length - 1] + ", " + seeds + " seeds");
    }

    private static Mlp network(int width, int seed) {
        return Mlp.random(100L * width + seed, Activation.RELU,
                Parameterization.ntk(Math.sqrt(SIGMA_W2), Math.sqrt(SIGMA_B2)), DType.F64, Plane.widths(DEPTH, width));
    }

    /** n points at angles 2 pi k / n on the unit circle: (n, 2). */
    static Tensor circle(int n) {
        Tensor x = Tensor.allocate(DType.F64, n, 2);
        for (int k = 0; k < n; k++) {
            x.set(Math.cos(2 * Math.PI * k / n), k, 0);
            x.set(Math.sin(2 * Math.PI * k / n), k, 1);
        }
        return x;
    }

    private static BufferedImage heatmap(double[] k, int n, String title, ScalarScale scale) {
        int[] rgb = new int[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                rgb[i * n + j] = scale.colour(k[i * n + j]);
            }
        }
        // Row i (top to bottom) is point i, column j point j; the axes show their angles in turns.
        return RasterPanel.of(title, "angle of x' / 2 pi", "angle of x / 2 pi", 0, 1, 1, 0)
                .colourBar(scale, "Theta(x, x')").draw(rgb, n, n);
    }

    private static XYChart distanceChart(int[] widths, double[] mean, double[] std) {
        XYChart chart = Charts.chart("relative distance to the analytic NTK", "width",
                "||Theta_width - Theta||_F / ||Theta||_F");
        chart.getStyler().setXAxisLogarithmic(true);
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (int i = 0; i < widths.length; i++) {
            lo = Math.min(lo, Math.min(mean[i], mean[0] * Math.sqrt((double) widths[0] / widths[i])));
            hi = Math.max(hi, mean[i] + std[i]);
        }
        Charts.logYDecades(chart, lo, hi);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        double[] x = new double[widths.length];
        double[] reference = new double[widths.length];
        for (int i = 0; i < widths.length; i++) {
            x[i] = widths[i];
            reference[i] = mean[0] * Math.sqrt((double) widths[0] / widths[i]);
        }
        Charts.errorBars(chart, "empirical (mean +- sd)", x, mean, std, Charts.COLOURS[0]);
        Charts.line(chart, "1/sqrt(width)", x, reference, Charts.COLOURS[1])
                .setLineStyle(Charts.dashed());
        return chart;
    }

    /** ||a - b||_F (b null: ||a||_F). */
    static double frobenius(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - (b == null ? 0 : b[i]);
            s += d * d;
        }
        return Math.sqrt(s);
    }

    /** The least-squares slope of log(y) against log(x). */
    static double logLogSlope(int[] x, double[] y) {
        int n = x.length;
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += Math.log(x[i]) / n;
            my += Math.log(y[i]) / n;
        }
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < n; i++) {
            sxy += (Math.log(x[i]) - mx) * (Math.log(y[i]) - my);
            sxx += (Math.log(x[i]) - mx) * (Math.log(x[i]) - mx);
        }
        return sxy / sxx;
    }

    private static double[] concat(double[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToDouble(java.util.Arrays::stream).toArray();
    }
}
