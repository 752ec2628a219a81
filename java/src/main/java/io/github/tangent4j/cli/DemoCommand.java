package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.Backends;
import io.github.tangent4j.backend.Progress;
import io.github.tangent4j.cli.demo.DemoContext;
import io.github.tangent4j.cli.demo.Figure;
import io.github.tangent4j.cli.demo.Figures;
import io.github.tangent4j.cli.demo.Report;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tangent4j demo}: computes the figures of {@link Figures} on built-in seeded networks and data
 * sets and writes them, with captions and timings, as a report folder ({@code index.html} and one PNG
 * per figure); prints a summary (backend, sizes, time per figure) and shows a progress bar on a
 * terminal. {@code --quick} uses tiny sizes (seconds; for tests and CI).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the main job on built-in networks and data sets and write a report folder"
                + " (index.html with figures).")
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Output(folder = true)
    @Option(names = "--out", paramLabel = "DIR", defaultValue = "tangent4j-demo",
            description = "report folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Mixin
    BackendOption backend;

    @Option(names = "--quick", description = "tiny sizes: a few seconds, for tests and CI")
    boolean quick;

    @Override
    public Integer call() throws Exception {
        System.setProperty("java.awt.headless", "true");
        Report.checkDrawing();
        Files.createDirectories(out);
        // The whole report or nothing: every file is staged and renamed into place at the end, so a stopped
        // or failed run leaves the previous report as it was (no new figures beside an old index).
        try (OutputFile.Staging staging = new OutputFile.Staging()) {
            Report report = new Report(out, (target, body) -> staging.add(new OutputFile.Pending(target, "--out",
                    body::writeTo)));
            return run(report, staging);
        }
    }

    private int run(Report report, OutputFile.Staging staging) throws Exception {
        PrintWriter console = spec.commandLine().getOut();
        List<Figure> figures = Figures.all();
        List<String> summary = new ArrayList<>();
        long start = System.nanoTime();
        Backends.Selection selection = backend.select();
        try (Backend b = selection.backend(); ProgressBars bars = ProgressBars.open("demo")) {
            DemoContext context = new DemoContext(b, quick);
            Progress progress = bars.listener();
            if (progress != null) {
                progress.onProgress(0, figures.size());   // the bar appears before the first figure
            }
            for (int i = 0; i < figures.size(); i++) {
                Figure figure = figures.get(i);
                long t0 = System.nanoTime();
                Figure.Rendered rendered = figure.render(context);
                double seconds = (System.nanoTime() - t0) / 1e9;
                report.add(figure, rendered, seconds);
                summary.add(String.format(Locale.ROOT, "  %-30s %6.2f s  (%s)", figure.file(), seconds,
                        rendered.sizes()));
                if (progress != null) {
                    progress.onProgress(i + 1, figures.size());
                }
            }
        }
        double total = (System.nanoTime() - start) / 1e9;
        List<String> about = List.of(
                "backend: " + selection.reason(),
                (quick ? "sizes: --quick (tiny)" : "sizes: default") + String.format(Locale.ROOT,
                        "; %d figures in %.1f s on %d processors", figures.size(), total,
                        Runtime.getRuntime().availableProcessors()),
                "made by: tangent4j demo" + (quick ? " --quick" : "") + " --backend " + backend.name);
        Path index = report.finish(about);
        staging.commit();
        console.println("tangent4j demo: backend " + BackendLine.brief(selection.reason()));
        summary.forEach(console::println);
        console.println(String.format(Locale.ROOT, "  %-30s %6.2f s", "total", total));
        console.println("report: " + index.toAbsolutePath());
        return 0;
    }
}
