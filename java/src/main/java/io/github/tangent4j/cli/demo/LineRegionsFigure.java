package io.github.tangent4j.cli.demo;

import io.github.tangent4j.cli.demo.Figure.Rendered;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.patterns.RegionsAlongSegments;
import io.github.tangent4j.patterns.SegmentRegions;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.knowm.xchart.XYChart;

/**
 * Figure 2: the exact number of linear pieces of random ReLU networks along lines through the input
 * plane, against depth and against the total number of hidden units, for several widths: mean and
 * standard deviation over seeds of the per-network mean over segments ({@link RegionsAlongSegments},
 * exact breakpoints). At initialisation the count grows with the number of hidden units, not
 * exponentially with depth (Hanin and Rolnick, "Complexity of Linear Regions in Deep Networks", ICML 2019;
 * "Deep ReLU Networks Have Surprisingly Few Activation Patterns", NeurIPS 2019).
 */
final class LineRegionsFigure implements FigureBody {
    static final String CAPTION = "Exact number of linear pieces of random ReLU networks along random lines "
            + "through the input plane, against depth and against the number of hidden units.";

    @Override
    public Rendered render(DemoContext ctx) {
        int[] depths = ctx.sizes(new int[] {1, 2, 3, 4, 5, 6}, new int[] {1, 2});
        int[] widths = ctx.sizes(new int[] {8, 16, 32}, new int[] {4, 8});
        int seeds = ctx.size(8, 2);
        int segments = ctx.size(16, 4);
        double[][] mean = new double[widths.length][depths.length];
        double[][] std = new double[widths.length][depths.length];
        for (int w = 0; w < widths.length; w++) {
            for (int d = 0; d < depths.length; d++) {
                double[] perSeed = new double[seeds];
                for (int s = 0; s < seeds; s++) {
                    perSeed[s] = meanPieces(ctx, network(depths[d], widths[w], s), segments, s);
                }
                mean[w][d] = Stats.mean(perSeed);
                std[w][d] = Stats.std(perSeed, mean[w][d]);
            }
        }
        XYChart byDepth = Charts.chart("pieces along a line vs depth", "hidden layers", "linear pieces per segment");
        XYChart byUnits = Charts.chart("the same vs number of hidden units", "hidden units (depth x width)",
                "linear pieces per segment");
        byDepth.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        byUnits.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        double[] x = new double[depths.length];
        for (int w = 0; w < widths.length; w++) {
            double[] units = new double[depths.length];
            for (int d = 0; d < depths.length; d++) {
                x[d] = depths[d];
                units[d] = (double) depths[d] * widths[w];
            }
            Charts.errorBars(byDepth, "width " + widths[w], x.clone(), mean[w], std[w], Charts.COLOURS[w]);
            Charts.errorBars(byUnits, "width " + widths[w], units, mean[w], std[w], Charts.COLOURS[w]);
        }
        int lw = widths.length - 1;
        int ld = depths.length - 1;
        String details = String.format(Locale.ROOT,
                "Exact number of linear pieces of random ReLU networks (2-D input, He initialisation) along %d random"
                        + " chords of length %.1f through the origin (patterns.RegionsAlongSegments: exact breakpoints,"
                        + " one GEMM per layer per batch of pieces), mean +- standard deviation over %d seeds; e.g."
                        + " width %d: %.1f pieces at depth %d, %.1f at depth %d. Right: the same counts against the"
                        + " number of hidden units, for which Hanin and Rolnick (2019) predict growth linear in the"
                        + " units at initialisation rather than exponential in depth.",
                segments, 2 * Plane.HALF, seeds, widths[lw], mean[lw][0], depths[0], mean[lw][ld], depths[ld]);
        return new Rendered(Panels.row(List.of(Charts.image(byDepth), Charts.image(byUnits))), CAPTION, details,
                depths.length * widths.length + " architectures x " + seeds + " seeds x " + segments + " segments");
    }

    private static Mlp network(int depth, int width, int seed) {
        return Plane.network(1000L * depth + 10L * width + seed, Plane.widths(depth, width));
    }

    /** The mean number of pieces along {@code k} random chords of the disc of radius HALF through the origin. */
    private static double meanPieces(DemoContext ctx, Mlp mlp, int k, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor a = Tensor.allocate(DType.F64, k, 2);
        Tensor b = Tensor.allocate(DType.F64, k, 2);
        for (int i = 0; i < k; i++) {
            double theta = rng.nextDouble(0, Math.PI);
            a.set(Plane.HALF * Math.cos(theta), i, 0);
            a.set(Plane.HALF * Math.sin(theta), i, 1);
            b.set(-Plane.HALF * Math.cos(theta), i, 0);
            b.set(-Plane.HALF * Math.sin(theta), i, 1);
        }
        List<SegmentRegions> pieces = RegionsAlongSegments.compute(ctx.backend(), mlp, a, b);
        double sum = 0;
        for (SegmentRegions s : pieces) {
            sum += s.pieces();
        }
        return sum / k;
    }
}
