package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.convex.ConvexFit;
import io.github.tangent4j.convex.ConvexSolution;
import io.github.tangent4j.convex.Formulation;
import io.github.tangent4j.convex.Lifted;
import io.github.tangent4j.convex.PatternSet;
import io.github.tangent4j.convex.ReluSolver;
import io.github.tangent4j.convex.WedgeProducts;
import io.github.tangent4j.nn.StateDict;
import io.github.tangent4j.tensor.Npz;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code tangent4j convex-fit}: the globally optimal two-layer ReLU network with weight decay over the
 * arrangement patterns of the data (or over given directions), with its duality gap, written as a
 * PyTorch state dict ({@link ConvexFit}).
 */
@Command(name = "convex-fit", mixinStandardHelpOptions = true,
        description = "The optimal two-layer ReLU network for 0.5 ||f(X) - y||^2 + (beta/2) sum_j (||u_j||^2 + c_j^2"
                + " + a_j^2) over sampled (--patterns M) or all (--patterns all) arrangement patterns, or over"
                + " --dictionary directions; prints 'objective V gap G neurons K' and writes the state dict"
                + " (0.weight, 0.bias, 2.weight). Several --beta values are solved in order with warm starts and"
                + " write OUT-0.npz, OUT-1.npz, ...")
final class ConvexFitCommand implements Callable<Integer> {
    @Mixin
    DataOptions data;

    @Spec
    CommandSpec spec;

    @Option(names = "--y", required = true, paramLabel = "FILE", description = "targets, .npy (N,) or (N, O)")
    Path y;

    @Option(names = "--beta", required = true, split = ",", paramLabel = "B",
            description = "weight decay, > 0; a comma-separated list solves a path with warm starts")
    double[] betas;

    @Option(names = "--formulation", paramLabel = "relu|gated", defaultValue = "relu",
            description = "relu: the cone-constrained program (see --solver); gated: the group lasso (FISTA),"
                    + " then the ReLU program on the patterns it uses (default: ${DEFAULT-VALUE})")
    String formulation;

    @Option(names = "--patterns", paramLabel = "M|all",
            description = "number of sampled directions (distinct nonzero patterns kept), or 'all' for the exact"
                    + " enumeration (d + 1 <= 3 with --bias, d <= 3 without)")
    String patterns;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "seed of the sampled directions (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--bias", description = "hidden neurons with a bias (inputs lifted to [x, 1]; the bias is in the weight decay)")
    boolean bias;

    @Option(names = "--dictionary", paramLabel = "FILE",
            description = "directions W, .npy (K, d) or (K, d + 1) with --bias: neurons only along +-W (a Lasso)")
    Path dictionary;

    @Option(names = "--tol", paramLabel = "T", defaultValue = "1e-6",
            description = "stop when the duality gap <= T * objective (default: ${DEFAULT-VALUE})")
    double tolerance;

    @Option(names = "--max-iter", paramLabel = "I", defaultValue = "30000",
            description = "iteration limit per output and beta (default: ${DEFAULT-VALUE})")
    int maxIterations;

    @Option(names = "--solver", paramLabel = "auto|interior-point|al", defaultValue = "auto",
            description = "the ReLU program's solver: auto (the interior-point method up to 5000 examples where its"
                    + " N x N Newton matrix fits in memory, else the augmented Lagrangian), interior-point, or al"
                    + " (default: ${DEFAULT-VALUE})")
    String solver;

    @Override
    public Integer call() throws Exception {
        Tensor x = data.loadMatrix(data.x, "--x", -1, "");
        Tensor targets = data.loadArray(y, "--y");
        if ((targets.rank() != 1 && targets.rank() != 2) || targets.dim(0) != x.dim(0)) {
            throw new IllegalArgumentException("--y " + y + ": expected shape (" + x.dim(0) + ",) or (" + x.dim(0)
                    + ", O) like the " + x.dim(0) + " rows of --x but was " + Shapes.format(targets.shape()));
        }
        for (double b : betas) {
            if (!(b > 0) || Double.isInfinite(b)) {
                throw new IllegalArgumentException("--beta: expected finite values > 0 but got " + b);
            }
        }
        if (!(tolerance > 0 && tolerance < 1)) {
            throw new IllegalArgumentException("--tol: expected a relative gap in (0, 1) but was " + tolerance);
        }
        if (maxIterations < 1) {
            throw new IllegalArgumentException("--max-iter: expected >= 1 but was " + maxIterations);
        }
        Formulation form = switch (formulation.toLowerCase(Locale.ROOT)) {
            case "relu" -> Formulation.RELU;
            case "gated" -> Formulation.GATED;
            default -> throw new IllegalArgumentException("--formulation: expected relu or gated but was '"
                    + formulation + "'");
        };
        ReluSolver reluSolver = switch (solver.toLowerCase(Locale.ROOT)) {
            case "auto" -> ReluSolver.AUTO;
            case "interior-point" -> ReluSolver.INTERIOR_POINT;
            case "al" -> ReluSolver.AUGMENTED_LAGRANGIAN;
            default -> throw new IllegalArgumentException("--solver: expected auto, interior-point or al but was '"
                    + solver + "'");
        };
        if ((dictionary == null) == (patterns == null)) {
            throw new IllegalArgumentException("--patterns: expected exactly one of --patterns M|all and --dictionary"
                    + " but got " + (dictionary == null ? "neither" : "both"));
        }
        List<ConvexSolution> solutions;
        try (Backend backend = data.openBackend()) {
            ConvexFit fit = dictionary != null ? ConvexFit.dictionary(data.loadMatrix(dictionary, "--dictionary",
                    x.dim(1) + (bias ? 1 : 0), bias ? "(d + 1 with --bias)" : "(d, like --x)"))
                    : program(form, backend, x);
            solutions = fit.withBias(bias).withTolerance(tolerance).withMaxIterations(maxIterations)
                    .withReluSolver(reluSolver).fit(backend, x, targets, betas);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        for (int i = 0; i < solutions.size(); i++) {
            ConvexSolution s = solutions.get(i);
            out.printf(Locale.ROOT, "%sobjective %.10g gap %.3g neurons %d%n",
                    solutions.size() > 1 ? String.format(Locale.ROOT, "beta %s ", s.beta()) : "", s.objective(), s.gap(),
                    s.neurons());
            if (!s.converged()) {
                err.printf(Locale.ROOT, "convex-fit: beta %s stopped after %d iterations (--max-iter %d, or the solver's"
                        + " accuracy limit) before the gap reached --tol %s; the gap reached is %.3g (%.3g of the"
                        + " objective)%n", s.beta(), s.iterations(), maxIterations, tolerance, s.gap(),
                        s.gap() / Math.abs(s.objective()));
            }
            Path target = solutions.size() == 1 ? data.out : numbered(data.out, i);
            if (solutions.size() > 1) {
                OutputFile.checkTarget(target, "--out", data.x, y, dictionary);
            }
            OutputFile.write(target, "--out", tmp -> Npz.write(tmp, StateDict.fromMlp(s.network())));
        }
        out.flush();
        return 0;
    }

    private ConvexFit program(Formulation form, Backend backend, Tensor x) {
        Tensor lifted = Lifted.of(x, bias);
        PatternSet set;
        if (patterns.equalsIgnoreCase("all")) {
            if (lifted.dim(1) > 3) {
                throw new IllegalArgumentException("--patterns all: expected inputs of dimension d" + (bias ? " + 1" : "")
                        + " <= 3 but it was " + lifted.dim(1) + "; use --patterns M");
            }
            long bound = 2 * WedgeProducts.binomial(Math.toIntExact(x.dim(0)), Math.toIntExact(lifted.dim(1)) - 1) + 2;
            checkBudget(backend, x, Math.min(bound, Long.MAX_VALUE / 8), "--patterns all");
            set = PatternSet.all(lifted);
        } else {
            long m;
            try {
                m = Long.parseLong(patterns);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--patterns: expected a number of directions or 'all' but was '"
                        + patterns + "'");
            }
            if (m < 1) {
                throw new IllegalArgumentException("--patterns: expected at least 1 direction but was " + m);
            }
            checkBudget(backend, x, m, "--patterns " + m);
            set = PatternSet.sampled(backend, lifted, m, seed);
        }
        return form == Formulation.RELU ? ConvexFit.relu(set) : ConvexFit.gated(set);
    }

    /** Refuses, before allocating, a pattern budget whose program cannot fit in memory. */
    private static void checkBudget(Backend backend, Tensor x, long patterns, String what) {
        ConvexFit.checkMemory(x.dim(0), patterns, x.dtype(), what);
    }

    /** OUT-i.EXT for the i-th beta. */
    private static Path numbered(Path out, int i) {
        String name = out.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String numbered = dot > 0 ? name.substring(0, dot) + "-" + i + name.substring(dot) : name + "-" + i;
        return out.resolveSibling(numbered);
    }
}
