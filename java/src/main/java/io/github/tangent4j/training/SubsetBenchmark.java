package io.github.tangent4j.training;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.ParameterMask;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The teacher–student benchmark of subset learning (Schlisselberg and Darshan, "The impact of allocation
 * strategies in subset learning on the expressive power of neural networks", arXiv 2502.06300): how often
 * a student whose only trainable parameters are M allocated ones can match a teacher of the same widths.
 *
 * <p>Trial t draws (from the seed and t only, so every allocation and M sees the same draws) a random
 * teacher, a student whose weights are drawn independently ({@link Mlp#random}, PyTorch's initialisation,
 * F64), N standard Gaussian inputs, and the allocation's order ({@link Allocation}; the masks of growing M
 * are nested). For each allocation and M it computes the rank of the masked parameter Jacobian at the
 * student's initial parameters and fits the trainable parameters to the teacher's outputs with
 * Levenberg–Marquardt ({@link MaskedFit}); when the network is linear and the mask sits in one layer, the
 * fit is the exact least-squares solution ({@link LinearTheory#singleLayer}) instead. A trial matches when
 * the fitted loss is at most {@code tolerance * mean(y^2)} (default 1e-20). Because the masks are nested
 * in M, a fit found at M is a fit at every larger M (the added weights keep their drawn values): each
 * trial's loss at M is the best found at any M' <= M, so the match probability never decreases with M.
 *
 * <p>Trials run in parallel: on the caller's backend and on {@code workers - 1} more from a supplier
 * ({@link #withWorkers}), each worker taking the next unfinished (allocation, M, trial) — a backend is
 * used by one thread at a time. The numbers do not depend on the number of workers.
 */
public final class SubsetBenchmark {
    /**
     * One line of the table.
     *
     * @param allocation       the allocation's name
     * @param m                the number of trainable parameters
     * @param equations        N*O, the number of scalar equations a match must satisfy
     * @param maskedRank       the median over trials of the rank of the masked parameter Jacobian
     * @param matchProbability the fraction of trials that matched
     * @param medianLoss       the median over trials of the fitted loss divided by mean(y^2)
     */
    public record Row(String allocation, long m, long equations, long maskedRank, double matchProbability,
            double medianLoss) {
    }

    /** The outcome of one trial. */
    record Trial(long rank, double relativeLoss, boolean matched) {
    }

    private final long[] widths;
    private final Activation activation;
    private final List<Allocation> allocations;
    private final long[] ms;
    private final int trials;
    private final long n;
    private final long seed;
    private final boolean biases;
    private final double tolerance;
    private final int steps;
    private final int workers;
    private final Supplier<Backend> backends;

    private SubsetBenchmark(long[] widths, Activation activation, List<Allocation> allocations, long[] ms, int trials,
            long n, long seed, boolean biases, double tolerance, int steps, int workers, Supplier<Backend> backends) {
        this.widths = widths;
        this.activation = activation;
        this.allocations = allocations;
        this.ms = ms;
        this.trials = trials;
        this.n = n;
        this.seed = seed;
        this.biases = biases;
        this.tolerance = tolerance;
        this.steps = steps;
        this.workers = workers;
        this.backends = backends;
    }

    /**
     * The benchmark for networks of {@code widths} (D, n_1, ..., O) and {@code activation}: all five kinds
     * of allocation ({@code layer:1}), M = the number of weights of the first layer, 10 trials, N = D,
     * seed 0, weights only, tolerance 1e-20, 200 LM steps, one worker.
     */
    public static SubsetBenchmark of(long[] widths, Activation activation) {
        long[] w = Objects.requireNonNull(widths, "widths").clone();
        Mlp.random(0, activation, Parameterization.STANDARD, DType.F64, w);   // checks the widths
        List<Allocation> all = List.of(Allocation.of(Allocation.Kind.RANDOM), Allocation.layer(1),
                Allocation.of(Allocation.Kind.ROWS), Allocation.of(Allocation.Kind.COLUMNS),
                Allocation.of(Allocation.Kind.SPREAD));
        return new SubsetBenchmark(w, Objects.requireNonNull(activation, "activation"), all, new long[] {w[0] * w[1]},
                10, w[0], 0, false, 1e-20, 200, 1, null);
    }

    /** A copy comparing {@code allocations} (at least one). */
    public SubsetBenchmark withAllocations(List<Allocation> allocations) {
        if (allocations.isEmpty()) {
            throw new IllegalArgumentException("allocations: expected at least one but got none");
        }
        return new SubsetBenchmark(widths, activation, List.copyOf(allocations), ms, trials, n, seed, biases, tolerance,
                steps, workers, backends);
    }

    /** A copy with these numbers M (each >= 1) of trainable parameters. */
    public SubsetBenchmark withM(long... ms) {
        if (ms.length == 0) {
            throw new IllegalArgumentException("m: expected at least one value but got none");
        }
        for (long m : ms) {
            if (m < 1) {
                throw new IllegalArgumentException("m: expected values >= 1 but got " + m);
            }
        }
        return new SubsetBenchmark(widths, activation, allocations, ms.clone(), trials, n, seed, biases, tolerance,
                steps, workers, backends);
    }

    /** A copy with {@code trials} (>= 1) trials per allocation and M, {@code n} (>= 1) inputs each, and a seed. */
    public SubsetBenchmark withTrials(int trials, long n, long seed) {
        if (trials < 1) {
            throw new IllegalArgumentException("trials: expected >= 1 but was " + trials);
        }
        if (n < 1) {
            throw new IllegalArgumentException("n: expected >= 1 but was " + n);
        }
        return new SubsetBenchmark(widths, activation, allocations, ms, trials, n, seed, biases, tolerance, steps,
                workers, backends);
    }

    /** A copy allocating among weights and biases ({@code true}) or weights only. */
    public SubsetBenchmark withBiases(boolean biases) {
        return new SubsetBenchmark(widths, activation, allocations, ms, trials, n, seed, biases, tolerance, steps,
                workers, backends);
    }

    /** A copy with the match tolerance (relative to mean(y^2)) and the LM step budget. */
    public SubsetBenchmark withFit(double tolerance, int steps) {
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new IllegalArgumentException("tolerance: expected a finite value >= 0 but was " + tolerance);
        }
        if (steps < 1) {
            throw new IllegalArgumentException("steps: expected >= 1 but was " + steps);
        }
        return new SubsetBenchmark(widths, activation, allocations, ms, trials, n, seed, biases, tolerance, steps,
                workers, backends);
    }

    /**
     * A copy running on {@code workers} (>= 1) backends at once: the caller's and {@code workers - 1}
     * opened from {@code backends} (and closed) for the run; {@code backends} may be null when workers is 1.
     */
    public SubsetBenchmark withWorkers(int workers, Supplier<Backend> backends) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers: expected >= 1 but was " + workers);
        }
        if (workers > 1 && backends == null) {
            throw new IllegalArgumentException("backends: expected a supplier of backends for " + workers
                    + " workers but was null");
        }
        return new SubsetBenchmark(widths, activation, allocations, ms, trials, n, seed, biases, tolerance, steps,
                workers, backends);
    }

    /** The widths. */
    public long[] widths() {
        return widths.clone();
    }

    /** N*O. */
    public long equations() {
        return n * widths[widths.length - 1];
    }

    /** The match tolerance relative to mean(y^2). */
    public double tolerance() {
        return tolerance;
    }

    /**
     * Runs every trial and returns one row per allocation and M, in the order given.
     *
     * @throws IllegalArgumentException if an M exceeds what an allocation can choose from, naming both
     */
    public List<Row> run(Backend backend) {
        Objects.requireNonNull(backend, "backend");
        Mlp shape = student(0);
        for (Allocation a : allocations) {
            for (long m : ms) {
                a.stateDict(shape, m, biases, 0);   // M within the allocation's capacity, the layer exists
            }
        }
        int jobs = allocations.size() * ms.length * trials;
        Trial[] results = new Trial[jobs];
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable work0 = () -> work(backend, next, results, failure);
        List<Thread> threads = new ArrayList<>();
        for (int w = 1; w < Math.min(workers, jobs); w++) {
            Thread t = new Thread(() -> {
                try (Backend b = backends.get()) {
                    work(b, next, results, failure);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "tangent4j-subset-bench-" + w);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        work0.run();
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure.compareAndSet(null, e);
            }
        }
        Throwable f = failure.get();
        if (f instanceof RuntimeException re) {
            throw re;
        } else if (f instanceof Error err) {
            throw err;
        } else if (f != null) {
            throw new IllegalStateException("subset benchmark interrupted", f);
        }
        certifyLargerMasks(results);
        List<Row> rows = new ArrayList<>();
        for (int a = 0; a < allocations.size(); a++) {
            for (int k = 0; k < ms.length; k++) {
                long[] ranks = new long[trials];
                double[] losses = new double[trials];
                int matched = 0;
                for (int t = 0; t < trials; t++) {
                    Trial r = results[(a * ms.length + k) * trials + t];
                    ranks[t] = r.rank();
                    losses[t] = r.relativeLoss();
                    matched += r.matched() ? 1 : 0;
                }
                Arrays.sort(ranks);
                Arrays.sort(losses);
                rows.add(new Row(allocations.get(a).name(), ms[k], equations(), ranks[(trials - 1) / 2],
                        (double) matched / trials, median(losses)));
            }
        }
        return rows;
    }

    /**
     * A fit found for M trainable weights is also one for every larger M of the same allocation and trial:
     * the masks are nested, and the extra weights may keep their drawn values. So each trial's match and
     * loss at M are the best over the M' <= M, which makes the match probability non-decreasing in M even
     * where the local optimiser misses a fit at the larger mask.
     */
    private void certifyLargerMasks(Trial[] results) {
        Integer[] byM = new Integer[ms.length];
        Arrays.setAll(byM, k -> k);
        Arrays.sort(byM, (i, j) -> Long.compare(ms[i], ms[j]));
        for (int a = 0; a < allocations.size(); a++) {
            for (int t = 0; t < trials; t++) {
                Trial best = null;
                for (int k : byM) {
                    int job = (a * ms.length + k) * trials + t;
                    Trial r = results[job];
                    if (best != null && best.relativeLoss() < r.relativeLoss()) {
                        results[job] = new Trial(r.rank(), best.relativeLoss(), best.matched() || r.matched());
                    }
                    best = results[job];
                }
            }
        }
    }

    private static double median(double[] sorted) {
        int k = sorted.length;
        return k % 2 == 1 ? sorted[k / 2] : 0.5 * (sorted[k / 2 - 1] + sorted[k / 2]);
    }

    private void work(Backend backend, AtomicInteger next, Trial[] results, AtomicReference<Throwable> failure) {
        try {
            int job;
            while (failure.get() == null && (job = next.getAndIncrement()) < results.length) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new IllegalStateException("subset benchmark interrupted");
                }
                int t = job % trials;
                int k = (job / trials) % ms.length;
                int a = job / (trials * ms.length);
                results[job] = trial(backend, allocations.get(a), ms[k], t);
            }
        } catch (RuntimeException | Error e) {
            failure.compareAndSet(null, e);
        }
    }

    /** One trial of allocation {@code a} with {@code m} trainable parameters. */
    Trial trial(Backend backend, Allocation a, long m, int t) {
        Mlp teacher = Mlp.random(draw(t, 1), activation, Parameterization.STANDARD, DType.F64, widths);
        Mlp student = student(t);
        Tensor x = Tensor.allocate(DType.F64, n, widths[0]);
        SplittableRandom rng = new SplittableRandom(draw(t, 3));
        for (long i = 0; i < x.size(); i++) {
            x.setFlat(i, rng.nextGaussian());
        }
        Tensor y = teacher.forward(backend, x);
        ParameterMask mask = a.mask(student, m, biases, draw(t, 4));
        double meanSquare = 0;
        for (long i = 0; i < y.size(); i++) {
            meanSquare += y.getFlat(i) * y.getFlat(i);
        }
        meanSquare = Math.max(meanSquare / y.size(), Double.MIN_NORMAL);
        if (LinearTheory.isSingleLayerLinear(student, mask)) {
            LinearTheory.SingleLayer s = LinearTheory.singleLayer(backend, student, mask, x, y);
            return new Trial(s.rank(), s.loss() / meanSquare, s.loss() <= tolerance * meanSquare);
        }
        long rank;
        MaskedParameters params = MaskedParameters.of(student, mask);
        try (MaskedJacobian jac = MaskedJacobian.upload(backend, student, params)) {
            rank = jac.rank(student, x);
        }
        MaskedFit.Result r = MaskedFit.of(student, mask).withTolerance(tolerance).withSteps(steps).fit(backend, x, y);
        return new Trial(rank, r.loss() / meanSquare, r.reason() == MaskedFit.StopReason.TOLERANCE);
    }

    /**
     * The mask of allocation {@code a} with {@code m} trainable weights in trial {@code t}, as a state dict of
     * booleans with the student's keys ({@code 0.weight, 0.bias, 2.weight, ...}): what a mask {@code .npz}
     * for {@code tangent4j fit} holds.
     */
    public Map<String, Tensor> mask(Allocation a, long m, int t) {
        return a.stateDict(student(t), m, biases, draw(t, 4));
    }

    private Mlp student(int t) {
        return Mlp.random(draw(t, 2), activation, Parameterization.STANDARD, DType.F64, widths);
    }

    /** The seed of draw {@code what} of trial t (1 teacher, 2 student, 3 inputs, 4 allocation order). */
    private long draw(int t, int what) {
        return new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (t + 1)) ^ (0xC2B2AE3D27D4EB4FL * what)).nextLong();
    }
}
