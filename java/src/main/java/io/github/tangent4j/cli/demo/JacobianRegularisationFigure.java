package io.github.tangent4j.cli.demo;

import io.github.tangent4j.cli.demo.Figure.Rendered;
import io.github.tangent4j.kernels.InfiniteWidthKernel;
import io.github.tangent4j.kernels.JacobianKernel;
import io.github.tangent4j.kernels.KernelPredictor;
import io.github.tangent4j.kernels.RobustPredictor;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.tensor.Tensor;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;

/**
 * Figure 5, the experiment of Kim and Yang ("An Infinite-Width Analysis on the Jacobian-Regularised
 * Training of a Neural Network", arXiv 2312.03386, 2023) on the 1-D toy: the infinite-width predictor
 * of training with the Jacobian penalty {@code lambda/2 sum |df/dx|^2} for several lambda (how the
 * penalty flattens the fit), and the Jacobian-NNGP posterior of f and df/dx together given the values
 * of f at the training points ({@link JacobianKernel} and {@link KernelPredictor#posterior}).
 */
final class JacobianRegularisationFigure implements FigureBody {
    static final String CAPTION = "Infinite-width Jacobian-regularised training for several lambda, and the "
            + "Jacobian-NNGP posterior of f and df/dx given f at the training points.";

    static final double[] LAMBDAS = {0, 0.01, 0.1, 1};
    /**
     * The training time (gradient flow, in units of the learning rate). Long enough to fit the data at
     * lambda = 0 (training RMS error about 0.007); at t = inf the predictor for lambda > 0 divides by
     * eigenvalues near rounding level and its output is dominated by rounding errors (|f| ~ 1e4 here).
     */
    static final double TIME = 100;

    @Override
    public Rendered render(DemoContext ctx) {
        InfiniteWidthKernel kernel = Toy.kernel(Activation.ERF);
        double[] xs = Toy.trainX(ctx);
        double[] xt = Toy.testX(ctx);
        Tensor train = Toy.column(xs);
        Tensor test = Toy.column(xt);
        double[] ys = Toy.targets(xs);
        Tensor y = Tensor.of(ys.clone(), xs.length);
        int n = xs.length;
        int m = xt.length;

        JacobianKernel jk = JacobianKernel.of(kernel);
        Tensor jTrain = jk.compute(ctx.backend(), train, null, JacobianKernel.Kind.NNGP);  // (2N, 2N)
        Tensor jCross = jk.compute(ctx.backend(), test, train, JacobianKernel.Kind.NNGP);  // (2M, 2N)
        Tensor jTest = jk.compute(ctx.backend(), test, null, JacobianKernel.Kind.NNGP);    // (2M, 2M)
        Tensor kTrain = Tensor.allocate(jTrain.dtype(), n, n);   // the f block: observed are f(x_n) only
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                kTrain.set(jTrain.get(2L * i, 2L * j), i, j);
            }
        }
        Tensor kCross = Tensor.allocate(jCross.dtype(), 2L * m, n);   // every test row, the f columns
        for (int r = 0; r < 2 * m; r++) {
            for (int j = 0; j < n; j++) {
                kCross.set(jCross.get(r, 2L * j), r, j);
            }
        }
        double blockCheck = maxAbsDifference(kTrain,
                kernel.withGet(InfiniteWidthKernel.Get.NNGP).compute(ctx.backend(), train, null).outputNngp());
        KernelPredictor.Posterior joint = KernelPredictor.posterior(kTrain, kCross, jTest, y,
                KernelRegressionFigure.NOISE);
        double[] all = joint.mean().toDoubleArray();
        double[] fMean = new double[m];
        double[] dMean = new double[m];
        for (int i = 0; i < m; i++) {
            fMean[i] = all[2 * i];
            dMean[i] = all[2 * i + 1];
        }
        double[] fSd = KernelRegressionFigure.standardDeviations(joint.covariance(), m, 0, 2);
        double[] dSd = KernelRegressionFigure.standardDeviations(joint.covariance(), m, 1, 2);

        // the robust predictor at the test grid followed by the training points, one row per lambda
        double[] both = java.util.stream.DoubleStream.concat(java.util.Arrays.stream(xt), java.util.Arrays.stream(xs))
                .toArray();
        double[][] predicted = robustPredictions(ctx, kernel, train, y, Toy.column(both));
        double[][] robust = new double[LAMBDAS.length][];
        double[] trainingError = new double[LAMBDAS.length];
        for (int l = 0; l < LAMBDAS.length; l++) {
            robust[l] = java.util.Arrays.copyOf(predicted[l], m);
            trainingError[l] = rms(java.util.Arrays.copyOfRange(predicted[l], m, m + n), ys);
        }
        List<BufferedImage> panels = new ArrayList<>();
        panels.add(Charts.image(robustChart(xs, ys, xt, robust)));
        panels.add(Charts.image(KernelRegressionFigure.bandChart("Jacobian-NNGP posterior of f", "f(x)", xs, ys, xt,
                fMean, fSd, Toy::target, "sin(2x)", Charts.COLOURS[1])));
        panels.add(Charts.image(KernelRegressionFigure.bandChart("... and of df/dx, from the same f data", "df/dx",
                null, null, xt, dMean, dSd, Toy::targetDerivative, "2 cos(2x)", Charts.COLOURS[2])));
        int last = LAMBDAS.length - 1;
        String details = String.format(Locale.ROOT,
                "An infinitely wide network (%s; erf because ReLU networks trained with the penalty were measured"
                        + " not to follow the kernel prediction, docs/infinite-width-kernels.md) on %d points of"
                        + " sin(2x). Left: its mean prediction after gradient-flow time t = %s on the squared loss plus"
                        + " lambda/2 sum |df/dx|^2 (kernels.RobustPredictor, Jacobian NTK): the mean |df/dx| over the"
                        + " training range falls from %.3g at lambda = %s to %.3g at lambda = %s, and the RMS error at"
                        + " the training points rises from %.2g to %.3g. Right: the joint Gaussian-process posterior of"
                        + " (f, df/dx) given f at the training points (kernels.JacobianKernel NNGP blocks,"
                        + " kernels.KernelPredictor; its f block equals the NNGP to %.1e), mean +- 2 sd: RMS error of"
                        + " df/dx against 2 cos(2x) inside the training range %.3g.",
                Toy.describe(kernel), n, Ticks.label(TIME), meanAbsSlope(xt, robust[0]), Ticks.label(LAMBDAS[0]),
                meanAbsSlope(xt, robust[last]), Ticks.label(LAMBDAS[last]), trainingError[0],
                trainingError[last], blockCheck, KernelRegressionFigure.rmsInside(xt, dMean, Toy::targetDerivative));
        return new Rendered(Panels.row(panels), CAPTION, details,
                n + " training points, " + m + " test points");
    }

    /**
     * The infinite-width Jacobian-regularised predictor after training for {@link #TIME} for each lambda of
     * {@link #LAMBDAS}: one row of M test predictions per lambda ({@link RobustPredictor}).
     */
    static double[][] robustPredictions(DemoContext ctx, InfiniteWidthKernel kernel, Tensor x, Tensor y,
            Tensor xTest) {
        double[][] f = new double[LAMBDAS.length][];
        for (int l = 0; l < LAMBDAS.length; l++) {
            f[l] = RobustPredictor.predict(ctx.backend(), kernel, x, y, xTest, LAMBDAS[l],
                    new double[] {TIME}).toDoubleArray();
        }
        return f;
    }

    private static XYChart robustChart(double[] xs, double[] ys, double[] xt, double[][] f) {
        XYChart chart = Charts.chart("Jacobian-regularised training, infinite width", "x", "f(x) after training for t = " + Ticks.label(TIME));
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisMin(xt[0]);
        chart.getStyler().setXAxisMax(xt[xt.length - 1]);
        Charts.line(chart, "sin(2x)", xt, Toy.targets(xt), Color.LIGHT_GRAY);
        for (int l = 0; l < f.length; l++) {
            Charts.line(chart, "lambda = " + Ticks.label(LAMBDAS[l]), xt, f[l], Charts.COLOURS[l]);
        }
        Charts.points(chart, "training points", xs, ys, Color.BLACK);
        return chart;
    }

    /** The mean |slope| of f over the grid points inside the training range (finite differences). */
    static double meanAbsSlope(double[] xt, double[] f) {
        double s = 0;
        int n = 0;
        for (int i = 0; i + 1 < xt.length; i++) {
            if (Math.abs(xt[i]) <= Toy.RANGE && Math.abs(xt[i + 1]) <= Toy.RANGE) {
                s += Math.abs((f[i + 1] - f[i]) / (xt[i + 1] - xt[i]));
                n++;
            }
        }
        return s / n;
    }

    /** The RMS difference of a and b. */
    static double rms(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s / a.length);
    }

    private static double maxAbsDifference(Tensor a, Tensor b) {
        double m = 0;
        for (long i = 0; i < a.size(); i++) {
            m = Math.max(m, Math.abs(a.getFlat(i) - b.getFlat(i)));
        }
        return m;
    }
}
