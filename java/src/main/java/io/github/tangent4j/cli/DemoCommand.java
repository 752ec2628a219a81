package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Activation;
import io.github.tangent4j.backend.Backends;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.nn.StateDict;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Npy;
import io.github.tangent4j.tensor.Npz;
import io.github.tangent4j.tensor.Tensor;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tangent4j demo}: the main job on a built-in network and data set, written as a report folder.
 * Today it runs the forward pass of a seeded random ReLU network on a two-spirals data set and
 * reports the backend and its reason; the Jacobian, pattern and kernel sections join it as those
 * families land.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the main job on a built-in model and data set and write a report folder.")
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Output(folder = true)
    @Option(names = "--out", paramLabel = "DIR", defaultValue = "tangent4j-demo",
            description = "report folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--backend", paramLabel = "auto|java|cuda", defaultValue = "auto",
            description = "compute backend (default: ${DEFAULT-VALUE})")
    String backend;

    @Override
    public Integer call() throws Exception {
        PrintWriter console = spec.commandLine().getOut();
        Files.createDirectories(out);
        Mlp mlp = Mlp.random(2026, Activation.RELU, Parameterization.STANDARD, DType.F64, 2, 64, 64, 1);
        Tensor x = twoSpirals(256, 7);
        Backends.Selection selection = CommonOptions.select(backend);
        Tensor y;
        long t0 = System.nanoTime();
        try (var b = selection.backend()) {
            y = mlp.forward(b, x);
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        OutputFile.write(out.resolve("x.npy"), "--out", tmp -> Npy.write(tmp, x));
        OutputFile.write(out.resolve("y.npy"), "--out", tmp -> Npy.write(tmp, y));
        OutputFile.write(out.resolve("model.npz"), "--out", tmp -> Npz.write(tmp, StateDict.fromMlp(mlp)));

        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (long i = 0; i < y.size(); i++) {
            min = Math.min(min, y.getFlat(i));
            max = Math.max(max, y.getFlat(i));
        }
        List<String> report = new ArrayList<>();
        report.add("# tangent4j demo report");
        report.add("");
        report.add("- backend: " + selection.reason());
        report.add("- network: " + mlp + ", " + mlp.parameterCount() + " parameters (model.npz, PyTorch naming)");
        report.add("- data: two spirals, " + x.dim(0) + " points in R^2 (x.npy)");
        report.add(String.format(Locale.ROOT, "- forward pass: outputs in [%.4f, %.4f] (y.npy), %.1f ms including upload",
                min, max, ms));
        report.add("");
        report.add("Jacobians, activation patterns and kernel matrices join this report as those families land.");
        OutputFile.write(out.resolve("report.md"), "--out", tmp -> Files.write(tmp, report));
        report.forEach(console::println);
        console.println("report written to " + out.toAbsolutePath());
        return 0;
    }

    /** Two interleaved spirals of {@code n} points each, with a little seeded noise: shape (2n, 2). */
    static Tensor twoSpirals(int n, long seed) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        Tensor x = Tensor.allocate(DType.F64, 2L * n, 2);
        for (int i = 0; i < n; i++) {
            double t = 0.25 + 3.0 * Math.PI * i / n;
            for (int s = 0; s < 2; s++) {
                double sign = s == 0 ? 1 : -1;
                long row = 2L * i + s;
                x.set(sign * t * Math.cos(t) / 10 + 0.02 * rng.nextGaussian(), row, 0);
                x.set(sign * t * Math.sin(t) / 10 + 0.02 * rng.nextGaussian(), row, 1);
            }
        }
        return x;
    }
}
