package io.github.tangent4j.cli;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.Backends;
import io.github.tangent4j.tensor.Npz;
import io.github.tangent4j.training.Allocation;
import io.github.tangent4j.training.SubsetBenchmark;
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

/** {@code tangent4j subset-bench}: the teacher-student match probability of allocations of M trainable weights. */
@Command(name = "subset-bench", mixinStandardHelpOptions = true,
        description = "Teacher-student match probability of allocating M trainable weights (Schlisselberg and Darshan,"
                + " arXiv 2502.06300): per allocation and M, T trials of a random teacher, a student of the same"
                + " widths with independently drawn weights, N Gaussian inputs, and the masked student fitted by"
                + " Levenberg-Marquardt (exact least squares for a one-layer mask of a linear network). Writes the CSV"
                + " allocation,m,equations,masked_rank,match_probability,median_loss and prints the table.")
final class SubsetBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--widths", paramLabel = "D,n1,...,O", required = true, split = ",",
            description = "the widths of teacher and student")
    long[] widths;

    @Option(names = "--activation", paramLabel = "NAME", defaultValue = "relu",
            converter = DataOptions.ActivationConverter.class,
            description = "relu|leaky_relu[:SLOPE]|abs|tanh|erf|identity (default: ${DEFAULT-VALUE})")
    Activation activation;

    @Option(names = "--m", paramLabel = "M[,M2,...]", required = true, split = ",",
            description = "numbers of trainable weights")
    long[] ms;

    @Option(names = "--allocations", paramLabel = "LIST", defaultValue = "random,layer:1,rows,columns,spread",
            description = "comma-separated: random, layer:L (L-th linear layer from 1), rows, columns, spread"
                    + " (default: ${DEFAULT-VALUE})")
    String allocations;

    @Option(names = "--trials", paramLabel = "T", defaultValue = "10", description = "trials (default: ${DEFAULT-VALUE})")
    int trials;

    @Option(names = "--n", paramLabel = "N", required = true, description = "inputs per trial")
    long n;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--biases", description = "allocate among weights and biases (default: weights only)")
    boolean biases;

    @Option(names = "--tolerance", paramLabel = "T", defaultValue = "1e-20",
            description = "a trial matches at a loss <= T * mean(y^2) (default: ${DEFAULT-VALUE})")
    double tolerance;

    @Option(names = "--steps", paramLabel = "S", defaultValue = "200",
            description = "Levenberg-Marquardt step budget per fit (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--workers", paramLabel = "W",
            description = "backends run at once (default: the cores for java, 4 streams for cuda)")
    Integer workers;

    @Mixin
    BackendOption backend;

    @Output
    @Option(names = "--out", paramLabel = "FILE", description = "output .csv file")
    Path out;

    @Output(folder = true, optional = true)
    @Option(names = "--masks", paramLabel = "DIR",
            description = "also write trial 1's mask of every allocation and M there, as ALLOCATION-mM.npz with the"
                    + " keys of a PyTorch nn.Sequential (0.weight, 0.bias, 2.weight, ...)")
    Path masks;

    @Override
    public Integer call() throws Exception {
        List<Allocation> list = new ArrayList<>();
        for (String a : allocations.split(",")) {
            list.add(Allocation.parse(a));
        }
        SubsetBenchmark bench;
        try {
            bench = SubsetBenchmark.of(widths, activation).withAllocations(list).withM(ms).withTrials(trials, n, seed)
                    .withBiases(biases).withFit(tolerance, steps);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("subset-bench: " + e.getMessage(), e);
        }
        List<SubsetBenchmark.Row> rows;
        try (Backend b = backend.select().backend()) {
            String name = b.name();
            int w = workers != null ? workers
                    : name.equals("java") ? Runtime.getRuntime().availableProcessors() : 4;
            rows = bench.withWorkers(w, () -> Backends.create(name)).run(b);
        }
        OutputFile.write(out, "--out", tmp -> Files.writeString(tmp, csv(rows)));
        if (masks != null) {
            Files.createDirectories(masks);
            for (Allocation a : list) {
                for (long m : ms) {
                    Path file = masks.resolve(a.name().replace(':', '-') + "-m" + m + ".npz");
                    OutputFile.write(file, "--masks", tmp -> Npz.write(tmp, bench.mask(a, m, 0)));
                }
            }
        }
        PrintWriter o = spec.commandLine().getOut();
        o.println(String.format(Locale.ROOT, "widths %s, %s, N = %d, equations N*O = %d, %d trials, match: loss <= %.1e"
                        + " * mean(y^2)", String.join(",", java.util.Arrays.stream(widths).mapToObj(Long::toString)
                        .toList()), activation, n, bench.equations(), trials, tolerance));
        o.println(String.format(Locale.ROOT, "%-12s %6s %9s %11s %17s %12s", "allocation", "m", "equations",
                "masked_rank", "match_probability", "median_loss"));
        for (SubsetBenchmark.Row r : rows) {
            o.println(String.format(Locale.ROOT, "%-12s %6d %9d %11d %17.3f %12.3e", r.allocation(), r.m(),
                    r.equations(), r.maskedRank(), r.matchProbability(), r.medianLoss()));
        }
        return 0;
    }

    /** The table as CSV with a header line. */
    static String csv(List<SubsetBenchmark.Row> rows) {
        StringBuilder s = new StringBuilder("allocation,m,equations,masked_rank,match_probability,median_loss\n");
        for (SubsetBenchmark.Row r : rows) {
            s.append(String.format(Locale.ROOT, "%s,%d,%d,%d,%s,%s%n", r.allocation(), r.m(), r.equations(),
                    r.maskedRank(), r.matchProbability(), r.medianLoss()));
        }
        return s.toString();
    }
}
