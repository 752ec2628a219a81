package io.github.tangent4j.cli.demo;

import io.github.tangent4j.backend.Backends;
import io.github.tangent4j.cli.demo.Figure.Rendered;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.training.Allocation;
import io.github.tangent4j.training.SubsetBenchmark;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;

/**
 * Figure 9: the subset-learning benchmark (Schlisselberg and Darshan, arXiv 2502.06300): the probability
 * that a student whose only trainable parameters are M allocated weights matches a random teacher of the
 * same widths, against M, for the five allocations, with a ReLU and a linear teacher
 * ({@link SubsetBenchmark}). The caption says, from the run's numbers, whether the paper's headline —
 * spreading the trainable weights widely is more expressive — held.
 */
final class SubsetLearningFigure implements FigureBody {
    static final String CAPTION = "Match probability of a student with M trainable weights against M, for five "
            + "allocations of the weights, with a ReLU and a linear teacher.";

    private static final List<Allocation> ALLOCATIONS = List.of(Allocation.of(Allocation.Kind.SPREAD),
            Allocation.of(Allocation.Kind.RANDOM), Allocation.of(Allocation.Kind.ROWS),
            Allocation.of(Allocation.Kind.COLUMNS), Allocation.layer(1));

    @Override
    public Rendered render(DemoContext ctx) {
        long[] widths = ctx.quick() ? new long[] {3, 4, 1} : new long[] {4, 8, 2};
        long n = ctx.size(6, 3);
        long[] ms = ctx.quick() ? new long[] {2, 4, 8} : new long[] {3, 6, 9, 12, 15, 18, 24, 32};
        int trials = ctx.size(6, 2);
        int steps = ctx.size(60, 20);
        String backendName = ctx.backend().name();
        int workers = backendName.equals("java") ? Runtime.getRuntime().availableProcessors() : 4;
        List<XYChart> charts = new ArrayList<>();
        StringBuilder verdicts = new StringBuilder();
        StringBuilder summary = new StringBuilder();
        long equations = 0;
        for (Activation phi : List.of(Activation.RELU, Activation.IDENTITY)) {
            SubsetBenchmark bench = SubsetBenchmark.of(widths, phi).withAllocations(ALLOCATIONS).withM(ms)
                    .withTrials(trials, n, 8).withFit(1e-20, steps).withWorkers(workers, () -> Backends.create(backendName));
            equations = bench.equations();
            List<SubsetBenchmark.Row> rows = bench.run(ctx.backend());
            String name = phi == Activation.IDENTITY ? "linear" : "ReLU";
            XYChart chart = Charts.chart(name + " teacher " + describe(widths), "trainable weights M",
                    "match probability");
            chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
            chart.getStyler().setYAxisMin(-0.02);
            chart.getStyler().setYAxisMax(1.02);
            double[] x = Arrays.stream(ms).asDoubleStream().toArray();
            double[] mean = new double[ALLOCATIONS.size()];
            StringBuilder firstFull = new StringBuilder();
            for (int a = 0; a < ALLOCATIONS.size(); a++) {
                double[] p = new double[ms.length];
                String first = "never";
                for (int k = 0; k < ms.length; k++) {
                    p[k] = rows.get(a * ms.length + k).matchProbability();
                    mean[a] += p[k] / ms.length;
                    if (p[k] >= 0.5 && first.equals("never")) {
                        first = "M = " + ms[k];
                    }
                }
                Charts.errorBars(chart, ALLOCATIONS.get(a).name(), x, p, null, Charts.COLOURS[a]);
                firstFull.append(firstFull.isEmpty() ? "" : ", ").append(ALLOCATIONS.get(a).name()).append(' ')
                        .append(first);
            }
            charts.add(chart);
            int best = 0;
            for (int a = 1; a < mean.length; a++) {
                best = mean[a] > mean[best] ? a : best;
            }
            boolean held = mean[0] >= mean[best] - 1e-12;
            summary.append(String.format(Locale.ROOT, " %s: mean match probability spread %.2f, best other %s %.2f;"
                    + " headline %s.", name, mean[0], bestOther(mean), mean[bestOtherIndex(mean)],
                    held ? "reproduced" : "refuted"));
            verdicts.append(String.format(Locale.ROOT, " %s teacher: mean match probability over M %s; match"
                            + " probability first >= 0.5 at %s; the headline %s.", name, means(mean), firstFull,
                    held ? "held (spread is at least as expressive as every other allocation)"
                            : "did not hold (" + ALLOCATIONS.get(best).name() + " beat spread)"));
        }
        String details = String.format(Locale.ROOT,
                "Teacher and student of widths %s (PyTorch's initialisation, drawn independently), N = %d standard"
                        + " Gaussian inputs, so N*O = %d equations; M trainable weights allocated %s (training"
                        + ".Allocation, nested in M); %d trials per point; the student fitted by Levenberg-Marquardt"
                        + " on the masked Jacobian (at most %d steps; exact least squares when a linear student's mask"
                        + " sits in one layer); a trial matches at a loss <= 1e-20 * mean(y^2)"
                        + " (training.SubsetBenchmark).%s A match found by a local optimiser is a lower bound for ReLU"
                        + " students: the masked Jacobian reaches rank N*O well before the match probability rises.",
                describe(widths), n, equations, ALLOCATIONS, trials, steps, verdicts);
        List<java.awt.image.BufferedImage> images = charts.stream().map(Charts::image).toList();
        return new Rendered(Panels.row(images), CAPTION + summary, details, "widths " + Arrays.toString(widths) + ", M in "
                + Arrays.toString(ms) + ", " + trials + " trials x 5 allocations x 2 teachers");
    }

    private static int bestOtherIndex(double[] mean) {
        int best = 1;
        for (int a = 2; a < mean.length; a++) {
            best = mean[a] > mean[best] ? a : best;
        }
        return best;
    }

    private static String bestOther(double[] mean) {
        return ALLOCATIONS.get(bestOtherIndex(mean)).name();
    }

    private static String describe(long[] widths) {
        return String.join("-", Arrays.stream(widths).mapToObj(Long::toString).toList());
    }

    private static String means(double[] mean) {
        StringBuilder s = new StringBuilder();
        for (int a = 0; a < mean.length; a++) {
            s.append(a == 0 ? "" : ", ").append(ALLOCATIONS.get(a).name())
                    .append(String.format(Locale.ROOT, " %.2f", mean[a]));
        }
        return s.toString();
    }
}
