package io.github.tangent4j.cli.demo;

import io.github.tangent4j.kernels.InfiniteWidthKernel;
import io.github.tangent4j.kernels.JacobianKernel;
import io.github.tangent4j.kernels.KernelPredictor;
import io.github.tangent4j.tensor.Tensor;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.knowm.xchart.XYChart;

/**
 * Figure 5, the experiment of Kim and Yang ("An Infinite-Width Analysis on the Jacobian-Regularised
 * Training of a Neural Network", arXiv 2312.03386, 2023) on the 1-D toy: the infinite-width predictor
 * of training with the Jacobian penalty {@code lambda/2 sum |df/dx|^2} for several lambda (how the
 * penalty flattens the fit), and the Jacobian-NNGP posterior of f and df/dx together given the values
 * of f at the training points ({@link JacobianKernel} and {@link KernelPredictor#posterior}).
 */
final class JacobianRegularisationFigure implements Figure {
    static final String CAPTION = "Infinite-width Jacobian-regularised training for several lambda, and the "
            + "Jacobian-NNGP posterior of f and df/dx given f at the training points.";
    static final String CAPTION_WITHOUT_ROBUST = "The Jacobian-NNGP posterior of f and df/dx of an infinitely wide"
            + " network given f at the training points.";

    static final double[] LAMBDAS = {0, 0.01, 0.1, 1};

    @Override
    public String file() {
        return "5-jacobian-regularisation.png";
    }

    @Override
    public String title() {
        return "5. Jacobian-regularised training at infinite width, and the Jacobian-NNGP posterior of (f, df/dx)";
    }

    @Override
    public Rendered render(DemoContext ctx) {
        InfiniteWidthKernel kernel = Toy.kernel();
        double[] xs = Toy.trainX(ctx);
        double[] xt = Toy.testX(ctx);
        Tensor train = Toy.column(xs);
        Tensor test = Toy.column(xt);
        double[] ys = Toy.targets(xs);
        Tensor y = Tensor.of(ys.clone(), xs.length);
        int n = xs.length;
        int m = xt.length;

        JacobianKernel jk = new JacobianKernel(kernel);
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
                kernel.compute(ctx.backend(), train, null, InfiniteWidthKernel.Request.NNGP).outputNngp());
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
        double[] truthD = new double[m];
        for (int i = 0; i < m; i++) {
            truthD[i] = Toy.targetDerivative(xt[i]);
        }

        List<BufferedImage> panels = new ArrayList<>();
        Optional<double[][]> robust = robustPredictions(ctx, kernel, train, y, test);
        String robustText;
        if (robust.isPresent()) {
            panels.add(Charts.image(robustChart(xs, ys, xt, robust.get())));
            double[][] f = robust.get();
            robustText = String.format(Locale.ROOT,
                    "Left: the mean prediction of the infinitely wide network trained to convergence on the squared"
                            + " loss plus lambda/2 sum |df/dx|^2 (kernels.RobustPredictor, Jacobian NTK): the mean"
                            + " |df/dx|"
                            + " over the training range falls from %.3g at lambda = %s to %.3g at lambda = %s. ",
                    meanAbsSlope(xt, f[0]), Ticks.label(LAMBDAS[0]), meanAbsSlope(xt, f[f.length - 1]),
                    Ticks.label(LAMBDAS[LAMBDAS.length - 1]));
        } else {
            robustText = "(The robust-training curves for lambda = 0, 0.01, 0.1, 1 need kernels.RobustPredictor,"
                    + " which this build does not have.) ";
        }
        panels.add(Charts.image(KernelRegressionFigure.bandChart("Jacobian-NNGP posterior of f", "f(x)", xs, ys, xt,
                fMean, fSd, Toy.targets(xt), "sin(2x)", Charts.COLOURS[1])));
        panels.add(Charts.image(KernelRegressionFigure.bandChart("... and of df/dx, from the same f data", "df/dx",
                null, null, xt, dMean, dSd, truthD, "2 cos(2x)", Charts.COLOURS[2])));
        String details = robustText + String.format(Locale.ROOT,
                (robust.isPresent() ? "Right: t" : "T") + "he joint Gaussian-process posterior of (f, df/dx) of"
                        + " the infinitely wide network (%s) given"
                        + " f at the %d training points (kernels.JacobianKernel NNGP blocks, kernels.KernelPredictor;"
                        + " its f block equals the NNGP to %.1e), mean +- 2 sd: RMS error of df/dx against 2 cos(2x)"
                        + " inside the training range %.3g.",
                Toy.describe(), n, blockCheck, rmsDerivativeInside(xt, dMean));
        return new Rendered(Panels.row(panels), robust.isPresent() ? CAPTION : CAPTION_WITHOUT_ROBUST, details,
                n + " training points, " + m + " test points");
    }

    /**
     * ROBUST-PREDICTOR HOOK: the infinite-width Jacobian-regularised predictor at convergence for each
     * lambda of {@link #LAMBDAS}, one row of M test predictions per lambda; empty while the library has
     * no robust predictor (kernels.RobustPredictor, branch 'analytic'), and the figure then omits the
     * panel and says so in its caption.
     */
    static Optional<double[][]> robustPredictions(DemoContext ctx, InfiniteWidthKernel kernel, Tensor x, Tensor y,
            Tensor xTest) {
        return Optional.empty();
    }

    private static XYChart robustChart(double[] xs, double[] ys, double[] xt, double[][] f) {
        XYChart chart = Charts.chart("Jacobian-regularised training, infinite width", "x", "f(x) after training");
        Charts.legendBelow(chart);
        Charts.line(chart, "sin(2x)", xt, Toy.targets(xt), Color.GRAY)
                .setLineStyle(Charts.dashed());
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

    private static double rmsDerivativeInside(double[] xt, double[] d) {
        double s = 0;
        int n = 0;
        for (int i = 0; i < xt.length; i++) {
            if (Math.abs(xt[i]) <= Toy.RANGE) {
                double e = d[i] - Toy.targetDerivative(xt[i]);
                s += e * e;
                n++;
            }
        }
        return Math.sqrt(s / n);
    }

    private static double maxAbsDifference(Tensor a, Tensor b) {
        double m = 0;
        for (long i = 0; i < a.size(); i++) {
            m = Math.max(m, Math.abs(a.getFlat(i) - b.getFlat(i)));
        }
        return m;
    }
}
