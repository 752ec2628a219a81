package io.github.tangent4j.cli.demo;

import io.github.tangent4j.cli.demo.Figure.Rendered;
import io.github.tangent4j.convex.ConvexFit;
import io.github.tangent4j.convex.ConvexSolution;
import io.github.tangent4j.convex.Lifted;
import io.github.tangent4j.convex.NonConvexBaseline;
import io.github.tangent4j.convex.PatternSet;
import io.github.tangent4j.convex.WedgeProducts;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.Tensor;
import org.knowm.xchart.XYChart;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Figure 8: convex training of a two-layer ReLU network on 1-D data (Pilanci and Ergen 2020): the certified
 * optimum over all arrangement patterns, the optimum restricted to wedge-product directions (the knots at
 * the samples, Pilanci arXiv 2309.16512) and the best of several gradient-descent restarts at the same beta.
 */
final class ConvexFigure implements FigureBody {
    static final double BETA = 0.02;

    @Override
    public Rendered render(DemoContext ctx) {
        int n = ctx.size(8, 5);
        int restarts = ctx.size(10, 3);
        int steps = ctx.size(3000, 100);
        SplittableRandom rnd = new SplittableRandom(8);
        double[] xs = new double[n];
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = -1 + 2.0 * i / (n - 1) + 0.05 * rnd.nextGaussian();
            ys[i] = Math.sin(3 * xs[i]) + 0.1 * rnd.nextGaussian();
        }
        Tensor x = Tensor.of(xs, n, 1);
        Tensor y = Tensor.of(ys, n);
        ConvexSolution convex = ConvexFit.relu(PatternSet.all(Lifted.of(x, true))).withBias(true).withTolerance(1e-4)
                .withMaxIterations(ctx.size(40_000, 2_000)).fit(ctx.backend(), x, y, BETA).getFirst();
        ConvexSolution wedge = ConvexFit.dictionary(WedgeProducts.all(x, true)).withBias(true).withTolerance(1e-8)
                .fit(ctx.backend(), x, y, BETA).getFirst();
        double best = Double.POSITIVE_INFINITY;
        for (int seed = 0; seed < restarts; seed++) {
            best = Math.min(best, NonConvexBaseline.train(x, y, true, BETA, 8, steps, seed));
        }
        double[] grid = Charts.grid(-1.2, 1.2, 241);
        XYChart chart = Charts.chart("two-layer ReLU fits, beta = " + BETA, "x", "f(x)");
        Charts.line(chart, String.format(Locale.ROOT, "convex, all patterns (%.5f)", convex.objective()), grid,
                curve(ctx, convex.network(), grid), Charts.COLOURS[0]);
        Charts.line(chart, String.format(Locale.ROOT, "wedge directions only (%.5f)", wedge.objective()), grid,
                curve(ctx, wedge.network(), grid), Charts.COLOURS[1]).setLineStyle(Charts.dashed());
        Charts.points(chart, "samples", xs, ys, Charts.COLOURS[2]);
        Charts.legendBelow(chart);
        String details = String.format(Locale.ROOT,
                "N = %d samples of sin(3x) + noise, beta = %s, bias inside the weight decay. Convex program over all %d"
                        + " patterns (convex.PatternSet.all, augmented Lagrangian): objective %.6f, duality gap %.2e,"
                        + " %d neurons. Restricted to the %d wedge directions (knots at the samples, convex.WedgeProducts,"
                        + " Lasso by FISTA): %.6f (%.2f%% above). Best of %d gradient-descent restarts of width 8"
                        + " (%d steps): %.6f, never below the dual bound %.6f.",
                n, BETA, PatternSet.all(Lifted.of(x, true)).count(), convex.objective(), convex.gap(), convex.neurons(),
                n, wedge.objective(), 100 * (wedge.objective() / convex.objective() - 1), restarts, steps, best,
                convex.dualBound());
        return new Rendered(Charts.image(chart), "The certified convex optimum over all patterns, the wedge-restricted"
                + " optimum and gradient descent on 1-D data.", details, n + " samples");
    }

    private static double[] curve(DemoContext ctx, Mlp net, double[] grid) {
        Tensor f = net.forward(ctx.backend(), Tensor.of(grid, grid.length, 1));
        return f.toDoubleArray();
    }
}
