package io.github.tangent4j.cli.demo;

import io.github.tangent4j.cli.demo.Figure.Rendered;
import io.github.tangent4j.linalg.Cholesky;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.symmetry.Balancing;
import io.github.tangent4j.symmetry.PathNorm;
import io.github.tangent4j.symmetry.RadonNorm;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.awt.Color;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;

/**
 * Figure 8: shallow ReLU fits of the 1-D toy data ({@link Toy}) as the width n grows, and what their
 * parameters say about the function. Each fit keeps a random first layer (PyTorch's initialisation) and
 * solves the output layer by ridge regression with penalty {@code 1e-4 n ||v||^2}. Left, against n: the
 * weight decay of the fitted parameters, the same after {@link Balancing} (the same function), the L1
 * path norm ({@link PathNorm}), and the R-norm of the function ({@link RadonNorm}, Parhi and Nowak
 * 2022), beside the least R-norm of any interpolant of the data: the total variation of the secant
 * slopes, attained by the linear spline (Savarese, Evron, Soudry and Srebro, COLT 2019). Right: the fits.
 */
final class BalancingFigure implements FigureBody {
    static final String CAPTION = "Weight decay of shallow ReLU fits before and after balancing, their path norm and"
            + " R-norm, as the width grows; and the fits.";

    /** The ridge penalty per unit of width. */
    static final double RIDGE = 1e-4;

    @Override
    public Rendered render(DemoContext ctx) {
        double[] xs = Toy.trainX(ctx);
        double[] ys = Toy.targets(xs);
        double[] xt = Toy.testX(ctx);
        int[] widths = ctx.sizes(new int[] {8, 16, 32, 64, 128, 256, 512, 1024}, new int[] {4, 8, 16});
        int k = widths.length;
        double[] n = new double[k];
        double[] raw = new double[k];
        double[] balanced = new double[k];
        double[] path = new double[k];
        double[] rnorm = new double[k];
        double[] bound = new double[k];
        double least = leastInterpolantRNorm(xs, ys);
        XYChart fits = Charts.chart("fits of sin(2x) from " + xs.length + " points", "x", "f(x)");
        fits.getStyler().setLegendPosition(Styler.LegendPosition.InsideSW);
        Charts.line(fits, "sin(2x)", xt, Toy.targets(xt), Color.GRAY).setLineStyle(Charts.dashed());
        int drawn = 0;
        for (int i = 0; i < k; i++) {
            Mlp fit = fit(widths[i], xs, ys);
            n[i] = widths[i];
            Balancing.Result b = Balancing.of(fit).compute();
            raw[i] = b.weightDecayBefore();
            balanced[i] = b.weightDecayAfter();
            path[i] = PathNorm.of(fit).compute(ctx.backend()).total();
            rnorm[i] = RadonNorm.of(fit).compute().total();
            bound[i] = least;
            if (i == 0 || i == k / 2 || i == k - 1) {
                Tensor f = fit.forward(ctx.backend(), Toy.column(xt));
                Charts.line(fits, "n = " + widths[i], xt, f.toDoubleArray(), Charts.COLOURS[drawn++]);
            }
        }
        Charts.points(fits, "data", xs, ys, Color.BLACK);
        XYChart norms = Charts.chart("norms of the fitted networks", "hidden width n", "value");
        norms.getStyler().setXAxisLogarithmic(true);
        // a decade of room below the curves for the legend
        Charts.logYDecades(norms, Math.min(least, min(rnorm)) / 10, max(raw));
        norms.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        Charts.errorBars(norms, "weight decay", n, raw, null, Charts.COLOURS[1]);
        Charts.errorBars(norms, "weight decay, balanced", n, balanced, null, Charts.COLOURS[0]);
        Charts.errorBars(norms, "L1 path norm", n, path, null, Charts.COLOURS[4]);
        Charts.errorBars(norms, "R-norm", n, rnorm, null, Charts.COLOURS[2]);
        Charts.line(norms, "least R-norm of an interpolant", n, bound, Color.GRAY).setLineStyle(Charts.dashed());
        int last = k - 1;
        double halfBalanced = RadonNorm.of(fit(widths[last], xs, ys)).compute().balancedPenalty();
        String details = String.format(Locale.ROOT,
                "One-hidden-layer ReLU networks 1-n-1, first layer drawn as PyTorch's nn.Linear (seed %d), output layer"
                        + " by ridge regression on the %d training points (penalty %.0e n ||v||^2). The weight decay"
                        + " sum ||W||^2 + ||b_hidden||^2 of the fitted parameters grows with the width (%.3g at n = %d,"
                        + " %.3g at n = %d), although the functions converge; symmetry.Balancing rescales each unit"
                        + " (same function) to the least weight decay, 2 sum_k |v_k| ||(w_k, b_k)||: %.3g and %.3g."
                        + " The R-norm of the function (symmetry.RadonNorm, Parhi and Nowak) is %.3g at n = %d, and the"
                        + " L1 path norm (symmetry.PathNorm, one forward pass of the |W| network on the backend) %.3g;"
                        + " the least R-norm of any interpolant of the data is %.3g (the total variation of the secant"
                        + " slopes; a fit that does not interpolate may lie below it). With the hidden biases left out"
                        + " of the weight decay, half its balanced value,"
                        + " sum_k |v_k| |w_k| = %.3g, is the R-norm: weight decay measures the function only at the"
                        + " balanced point.",
                SEED, xs.length, RIDGE, raw[0], widths[0], raw[last], widths[last], balanced[0], balanced[last],
                rnorm[last], widths[last], path[last], least, halfBalanced);
        return new Rendered(Panels.row(List.of(Charts.image(norms), Charts.image(fits))), CAPTION, details,
                "widths " + widths[0] + ".." + widths[last] + ", N = " + xs.length);
    }

    static final long SEED = 8;

    /**
     * A 1-n-1 ReLU network with a random first layer and the output layer fitted by ridge regression,
     * {@code v = Phi^T (Phi Phi^T + lambda I)^{-1} y} with {@code lambda = RIDGE n} (the dual form: an N x N
     * solve), no output bias.
     */
    static Mlp fit(int width, double[] xs, double[] ys) {
        Mlp init = Mlp.random(SEED, Activation.RELU, Parameterization.STANDARD, DType.F64, 1, width, 1);
        Layer first = init.layers().get(0);
        int m = xs.length;
        double[] phi = new double[m * width];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < width; j++) {
                phi[i * width + j] = Math.max(0, first.weight().get(j, 0) * xs[i] + first.bias().get(j));
            }
        }
        double[] gram = new double[m * m];
        for (int i = 0; i < m; i++) {
            for (int l = 0; l < m; l++) {
                double s = 0;
                for (int j = 0; j < width; j++) {
                    s += phi[i * width + j] * phi[l * width + j];
                }
                gram[i * m + l] = s + (i == l ? RIDGE * width : 0);
            }
        }
        double[] alpha = Cholesky.of(gram, m).solve(ys.clone(), 1);
        double[] v = new double[width];
        for (int j = 0; j < width; j++) {
            for (int i = 0; i < m; i++) {
                v[j] += phi[i * width + j] * alpha[i];
            }
        }
        Layer out = new Layer(Tensor.of(v, 1, width), Tensor.of(new double[] {0}, 1));
        return new Mlp(List.of(first, out), Activation.RELU, Parameterization.STANDARD);
    }

    /** The total variation of the secant slopes of sorted data: the least R-norm of an interpolant in 1-D. */
    static double leastInterpolantRNorm(double[] xs, double[] ys) {
        double tv = 0;
        for (int i = 1; i + 1 < xs.length; i++) {
            double s0 = (ys[i] - ys[i - 1]) / (xs[i] - xs[i - 1]);
            double s1 = (ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]);
            tv += Math.abs(s1 - s0);
        }
        return tv;
    }

    private static double min(double[] v) {
        return java.util.Arrays.stream(v).min().orElse(1);
    }

    private static double max(double[] v) {
        return java.util.Arrays.stream(v).max().orElse(1);
    }
}
