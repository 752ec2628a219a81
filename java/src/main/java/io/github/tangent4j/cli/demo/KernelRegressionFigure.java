package io.github.tangent4j.cli.demo;

import io.github.tangent4j.cli.demo.Figure.Rendered;
import io.github.tangent4j.kernels.InfiniteWidthKernel;
import io.github.tangent4j.kernels.KernelPredictor;
import io.github.tangent4j.linalg.SymmetricEigen;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.tensor.Tensor;
import java.awt.Color;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;
import org.knowm.xchart.XYChart;

/**
 * Figure 4: the spectra of the infinite-width NNGP and NTK on a grid of the 1-D toy's interval (log
 * scale), and kernel regression of the toy target with each: the Gaussian-process posterior mean with a
 * band of two posterior standard deviations, beside the target and the training points
 * ({@link KernelPredictor#posterior}; with the NNGP this is the exact Bayesian posterior of the
 * infinitely wide network, Lee et al. 2018).
 */
final class KernelRegressionFigure implements FigureBody {
    static final String CAPTION = "Spectra of the infinite-width NTK and NNGP, and Gaussian-process regression of "
            + "sin(2x) with each kernel (posterior mean +- 2 sd).";

    /** The noise variance added to the training kernel's diagonal. */
    static final double NOISE = 1e-4;

    @Override
    public Rendered render(DemoContext ctx) {
        InfiniteWidthKernel kernel = Toy.kernel(Activation.RELU);
        int gridSize = ctx.size(100, 20);
        Tensor grid = Toy.column(Charts.grid(-Toy.RANGE, Toy.RANGE, gridSize));
        InfiniteWidthKernel.Result onGrid = kernel.compute(ctx.backend(), grid, null);
        double[] ntkSpectrum = descending(onGrid.outputNtk(), gridSize);
        double[] nngpSpectrum = descending(onGrid.outputNngp(), gridSize);

        double[] xs = Toy.trainX(ctx);
        double[] xt = Toy.testX(ctx);
        Tensor train = Toy.column(xs);
        Tensor test = Toy.column(xt);
        Tensor y = Tensor.of(Toy.targets(xs), xs.length);
        InfiniteWidthKernel.Result kTrain = kernel.compute(ctx.backend(), train, null);
        InfiniteWidthKernel.Result kCross = kernel.compute(ctx.backend(), test, train);
        InfiniteWidthKernel.Result kTest = kernel.compute(ctx.backend(), test, null);
        KernelPredictor.Posterior nngp = KernelPredictor.posterior(kTrain.outputNngp(), kCross.outputNngp(),
                kTest.outputNngp(), y, NOISE);
        KernelPredictor.Posterior ntk = KernelPredictor.posterior(kTrain.outputNtk(), kCross.outputNtk(),
                kTest.outputNtk(), y, NOISE);

        XYChart spectrum = Charts.chart("kernel spectra on " + gridSize + " grid points", "index k",
                "eigenvalue lambda_k");
        spectrum.getStyler().setYAxisLogarithmic(true);
        plotSpectrum(spectrum, "NTK", ntkSpectrum, Charts.COLOURS[0]);
        plotSpectrum(spectrum, "NNGP", nngpSpectrum, Charts.COLOURS[1]);
        String details = String.format(Locale.ROOT,
                "Left: eigenvalues of the infinite-width NTK and NNGP (kernels.InfiniteWidthKernel, %s) on %d equally"
                        + " spaced points of [-%s, %s], descending (linalg.SymmetricEigen): lambda_1 = %.3g (NTK),"
                        + " %.3g (NNGP); eigenvalues above 1e-6 lambda_1: %d (NTK) and %d (NNGP) of %d. Middle and"
                        + " right: Gaussian-process regression of y = sin(2x) from %d seeded points"
                        + " (kernels.KernelPredictor.posterior, noise variance %s): posterior mean +- 2 sd; RMS error"
                        + " on the test grid inside the training range %.3g (NNGP), %.3g (NTK).",
                Toy.describe(kernel), gridSize, Ticks.label(Toy.RANGE), Ticks.label(Toy.RANGE), ntkSpectrum[0],
                nngpSpectrum[0], countAbove(ntkSpectrum, 1e-6), countAbove(nngpSpectrum, 1e-6), gridSize, xs.length,
                Ticks.label(NOISE), rmsInside(xt, nngp.mean().toDoubleArray(), Toy::target),
                rmsInside(xt, ntk.mean().toDoubleArray(), Toy::target));
        return new Rendered(Panels.row(List.of(Charts.image(spectrum),
                Charts.image(posteriorChart("NNGP posterior", xs, xt, nngp, Charts.COLOURS[1])),
                Charts.image(posteriorChart("NTK posterior", xs, xt, ntk, Charts.COLOURS[0])))),
                CAPTION, details,
                xs.length + " training points, " + xt.length + " test points, " + gridSize + "-point spectrum");
    }

    /** The eigenvalues of an (n, n) kernel matrix, largest first. */
    static double[] descending(Tensor k, int n) {
        double[] ascending = SymmetricEigen.of(k.toDoubleArray(), n).values();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = ascending[n - 1 - i];
        }
        return out;
    }

    /** The number of eigenvalues above {@code fraction} times the largest. */
    static int countAbove(double[] descending, double fraction) {
        int c = 0;
        for (double v : descending) {
            c += v > fraction * descending[0] ? 1 : 0;
        }
        return c;
    }

    /** The positive eigenvalues (a log axis cannot show the others) against their 1-based index. */
    private static void plotSpectrum(XYChart chart, String name, double[] values, Color colour) {
        double[] v = Arrays.stream(values).filter(e -> e > 0).toArray();
        double[] k = new double[v.length];
        Arrays.setAll(k, i -> i + 1);
        Charts.errorBars(chart, name, k, v, null, colour).setLineColor(colour);
    }

    /** The chart of a 1-D posterior: band, mean, target and training points. */
    static XYChart posteriorChart(String title, double[] xs, double[] xt, KernelPredictor.Posterior p, Color colour) {
        double[] mean = p.mean().toDoubleArray();
        double[] sd = standardDeviations(p.covariance(), xt.length, 0, 1);
        return bandChart(title, "f(x)", xs, Toy.targets(xs), xt, mean, sd, Toy::target, "sin(2x)", colour);
    }

    /**
     * A chart of a posterior mean with a +-2 sd band at {@code xt}, the true curve and (when {@code xs} is not null)
     * the training points.
     */
    static XYChart bandChart(String title, String yLabel, double[] xs, double[] ys, double[] xt, double[] mean,
            double[] sd, java.util.function.DoubleUnaryOperator truth, String truthName, Color colour) {
        XYChart chart = Charts.chart(title, "x", yLabel);
        Charts.legendBelow(chart);
        chart.getStyler().setXAxisMin(xt[0]);
        chart.getStyler().setXAxisMax(xt[xt.length - 1]);
        double[] lo = new double[xt.length];
        double[] hi = new double[xt.length];
        for (int i = 0; i < xt.length; i++) {
            lo[i] = mean[i] - 2 * sd[i];
            hi[i] = mean[i] + 2 * sd[i];
        }
        Charts.band(chart, "+- 2 sd", xt, lo, hi, colour);
        // the true curve on a grid twice as fine (so that no two series share all x values, which would
        // make XChart put its ticks at the data's x values)
        double[] fine = Charts.grid(xt[0], xt[xt.length - 1], 2 * xt.length - 1);
        Charts.line(chart, truthName, fine, Arrays.stream(fine).map(truth).toArray(), Color.LIGHT_GRAY);
        Charts.line(chart, "posterior mean", xt, mean, colour);
        if (xs != null) {
            Charts.points(chart, "training points", xs, ys, Color.BLACK);
        }
        return chart;
    }

    /** sqrt(max(0, C_ii)) for the rows {@code first, first + stride, ...} of a covariance, {@code m} of them. */
    static double[] standardDeviations(Tensor covariance, int m, int first, int stride) {
        long size = covariance.dim(0);
        double[] sd = new double[m];
        for (int i = 0; i < m; i++) {
            long r = first + (long) i * stride;
            sd[i] = Math.sqrt(Math.max(0, covariance.getFlat(r * size + r)));
        }
        return sd;
    }

    /**
     * The RMS difference between {@code f} and {@code reference} (the target or its derivative) over the test
     * points inside the training range.
     */
    static double rmsInside(double[] xt, double[] f, DoubleUnaryOperator reference) {
        double s = 0;
        int n = 0;
        for (int i = 0; i < xt.length; i++) {
            if (Math.abs(xt[i]) <= Toy.RANGE) {
                double d = f[i] - reference.applyAsDouble(xt[i]);
                s += d * d;
                n++;
            }
        }
        return Math.sqrt(s / n);
    }
}
