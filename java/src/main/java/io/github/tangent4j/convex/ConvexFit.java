package io.github.tangent4j.convex;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.DeviceOutOfMemoryException;
import io.github.tangent4j.linalg.SymmetricEigen;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Finite;
import io.github.tangent4j.tensor.HostMemory;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Globally optimal training of two-layer ReLU networks with weight decay through convex programs over
 * arrangement patterns (Pilanci and Ergen, ICML 2020; the solvers of Mishkin, Sahiner and Pilanci, ICML 2022):
 * for inputs X (N, d), targets y (N,) or (N, O) and a path of betas, the network minimising
 * {@code 1/2 ||f(X) - y||^2 + beta/2 sum_j (||u_j||^2 + c_j^2 + a_j^2)} among the networks whose neurons use
 * the given patterns, with a duality-gap certificate. Three programs:
 * <ul>
 *   <li>{@link #relu}: the ReLU program (cone constraints; an interior-point method, or the augmented Lagrangian,
 *   {@link ReluSolver});</li>
 *   <li>{@link #gated}: the gated program (group lasso, FISTA), whose dual bounds the ReLU program from below,
 *   then the ReLU program on the patterns its solution uses;</li>
 *   <li>{@link #dictionary}: neurons restricted to given directions w and -w (a Lasso over the features
 *   {@code relu(+-X~ w / ||w||)}, FISTA), e.g. wedge-product directions ({@link WedgeProducts}).</li>
 * </ul>
 * <b>Multiple outputs</b> are solved as one program per output sharing the patterns (as scnn does): each
 * hidden neuron feeds one output. The objective is then the sum of the per-output optima; the coupled
 * problem, where a neuron may feed several outputs, is a different (nuclear-norm-like) program not solved here.
 *
 * <p>Instances are immutable; the with-ers return copies. Betas are solved in the order given, each warm
 * started from the previous solution (as scnn's {@code optimize_path}).
 */
public final class ConvexFit {
    /** The default relative duality-gap tolerance: stop when {@code gap <= tolerance * objective}. */
    public static final double DEFAULT_TOLERANCE = 1e-6;
    /** The default limit on iterations per output and beta. */
    public static final int DEFAULT_MAX_ITERATIONS = 30_000;
    /** Matrices of N x K elements the solvers keep on the backend at once. */
    static final int RESIDENT_MATRICES = 5;

    private final Formulation formulation;
    private final PatternSet patterns;
    private final Tensor dictionary;
    private final boolean bias;
    private final double tolerance;
    private final int maxIterations;
    private final ReluSolver reluSolver;

    private ConvexFit(Formulation formulation, PatternSet patterns, Tensor dictionary, boolean bias, double tolerance,
            int maxIterations) {
        this(formulation, patterns, dictionary, bias, tolerance, maxIterations, ReluSolver.AUTO);
    }

    private ConvexFit(Formulation formulation, PatternSet patterns, Tensor dictionary, boolean bias, double tolerance,
            int maxIterations, ReluSolver reluSolver) {
        this.reluSolver = reluSolver;
        this.formulation = formulation;
        this.patterns = patterns;
        this.dictionary = dictionary;
        this.bias = bias;
        this.tolerance = tolerance;
        this.maxIterations = maxIterations;
    }

    /** The ReLU program over {@code patterns} (computed on the lifted inputs, see {@link Lifted}). */
    public static ConvexFit relu(PatternSet patterns) {
        return new ConvexFit(Formulation.RELU, Objects.requireNonNull(patterns, "patterns"), null, false,
                DEFAULT_TOLERANCE, DEFAULT_MAX_ITERATIONS);
    }

    /** The gated program over {@code patterns}, then the ReLU program on the patterns it uses. */
    public static ConvexFit gated(PatternSet patterns) {
        return new ConvexFit(Formulation.GATED, Objects.requireNonNull(patterns, "patterns"), null, false,
                DEFAULT_TOLERANCE, DEFAULT_MAX_ITERATIONS);
    }

    /** The program restricted to neurons along +-w for the rows w of {@code directions} (K, d'). */
    public static ConvexFit dictionary(Tensor directions) {
        Objects.requireNonNull(directions, "directions");
        if (directions.rank() != 2 || !directions.dtype().isFloating()) {
            throw new IllegalArgumentException("directions: expected a float array of shape (K, d') but was "
                    + directions.dtype() + " " + Shapes.format(directions.shape()));
        }
        Finite.check("directions", directions);
        return new ConvexFit(null, null, directions, false, DEFAULT_TOLERANCE, DEFAULT_MAX_ITERATIONS);
    }

    /** With a bias (inputs lifted to X~ = [X, 1]; the bias is inside the weight decay). */
    public ConvexFit withBias(boolean withBias) {
        return new ConvexFit(formulation, patterns, dictionary, withBias, tolerance, maxIterations, reluSolver);
    }

    /**
     * With the ReLU program's solver ({@link ReluSolver#AUTO} by default: the interior-point method where its
     * N x N Newton matrix fits in memory, else the augmented Lagrangian). The gated formulation's final ReLU
     * solve on the patterns it uses is always the augmented Lagrangian, warm-started from the gated solution.
     */
    public ConvexFit withReluSolver(ReluSolver solver) {
        return new ConvexFit(formulation, patterns, dictionary, bias, tolerance, maxIterations,
                Objects.requireNonNull(solver, "solver"));
    }

    /**
     * With the relative duality-gap tolerance.
     *
     * @throws IllegalArgumentException unless 0 < tolerance < 1
     */
    public ConvexFit withTolerance(double relativeGap) {
        if (!(relativeGap > 0 && relativeGap < 1)) {
            throw new IllegalArgumentException("tolerance: expected a relative gap in (0, 1) but was " + relativeGap);
        }
        return new ConvexFit(formulation, patterns, dictionary, bias, relativeGap, maxIterations, reluSolver);
    }

    /**
     * With the iteration limit per output and beta; a solve that reaches it reports {@code converged = false}.
     * The interior-point method ({@link ReluSolver}) takes at most the smaller of this and 200 iterations.
     *
     * @throws IllegalArgumentException unless iterations >= 1
     */
    public ConvexFit withMaxIterations(int iterations) {
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations: expected >= 1 but was " + iterations);
        }
        return new ConvexFit(formulation, patterns, dictionary, bias, tolerance, iterations, reluSolver);
    }

    /**
     * Bytes the solvers need for N examples and P patterns (or directions): about {@value #RESIDENT_MATRICES}
     * matrices of N x 2P elements (on the host while they are built, on the backend while it solves).
     */
    public static long bytesNeeded(long n, long patterns, DType dtype) {
        return Math.multiplyHigh(n, 2 * patterns) != 0 ? Long.MAX_VALUE
                : saturatingMultiply(n * 2 * patterns, (long) RESIDENT_MATRICES * dtype.byteSize());
    }

    /**
     * Refuses, before anything is allocated, a program over {@code groups} patterns (or directions) of
     * {@code n} examples whose {@link #bytesNeeded} exceed the host memory available (physical memory and
     * the JVM's direct-memory limit): the masks are built on the host before they are uploaded.
     *
     * @param what the argument to name in the message
     * @throws IllegalArgumentException naming {@code what}, the bytes needed and available
     */
    public static void checkMemory(long n, long groups, DType dtype, String what) {
        long need = bytesNeeded(n, groups, dtype);
        long available = Math.min(HostMemory.availablePhysical(), HostMemory.directLimit() - HostMemory.directUsed());
        if (need > available) {
            throw new IllegalArgumentException(what + ": the program over " + groups + " patterns or directions of "
                    + n + " examples needs about " + (need == Long.MAX_VALUE ? "more than 2^63" : need)
                    + " bytes but " + available + " are available; use fewer");
        }
    }

    /**
     * Solves the program for each beta in turn.
     *
     * @param x     inputs (N, d), F32 or F64 (the computation's dtype)
     * @param y     targets (N,) or (N, O)
     * @param betas the weight-decay strengths, each finite and > 0
     * @return one solution per beta, in order
     * @throws IllegalArgumentException naming the argument for mismatched lengths, non-finite values, a
     *                                  beta <= 0, patterns of other data, or a program that does not fit in
     *                                  the backend's memory (checked before allocating)
     */
    public List<ConvexSolution> fit(Backend backend, Tensor x, Tensor y, double... betas) {
        Objects.requireNonNull(backend, "backend");
        Lifted.checkInputs(x);
        int n = Math.toIntExact(x.dim(0));
        int d = Math.toIntExact(x.dim(1));
        double[][] targets = targets(y, n);
        checkBetas(betas);
        Tensor lifted = Lifted.of(x, bias);
        DType dtype = x.dtype();
        checkMemory(n, dictionary != null ? dictionary.dim(0) : patterns.count(), dtype,
                dictionary != null ? "dictionary" : "patterns");
        Program program = dictionary != null ? dictionaryProgram(backend, lifted) : patternProgram(lifted, n);
        int outputs = targets.length;
        ProgramResult[][] results = new ProgramResult[betas.length][outputs];
        double gramNorm = largestEigenvalue(lifted);
        try (MaskedOperator op = new MaskedOperator(backend, program.input(), program.mask())) {
            for (int o = 0; o < outputs; o++) {
                solvePath(backend, op, program, lifted, targets[o], betas, gramNorm, results, o);
            }
        } catch (DeviceOutOfMemoryException e) {
            throw new IllegalArgumentException((dictionary != null ? "dictionary" : "patterns") + ": the program over "
                    + program.mask().dim(1) + " groups of " + n + " examples does not fit in the " + backend.name()
                    + " backend's memory (" + e.getMessage() + "); use fewer", e);
        }
        Tensor yMatrix = y.rank() == 1 ? y.reshape(n, 1) : y;
        List<ConvexSolution> out = new ArrayList<>();
        for (int b = 0; b < betas.length; b++) {
            NeuronRecovery recovery = new NeuronRecovery();
            double dual = 0;
            boolean converged = true;
            int iterations = 0;
            for (int o = 0; o < outputs; o++) {
                ProgramResult r = results[b][o];
                dual += r.dual();
                converged &= r.converged();
                iterations += r.iterations();
                program.addNeurons(r.coefficients(), o, recovery);
            }
            Mlp net = recovery.network(d, bias, outputs, dtype);
            double objective = TwoLayerObjective.value(backend, net, x, yMatrix.to(dtype), betas[b]);
            out.add(new ConvexSolution(betas[b], objective, dual, converged, iterations, net));
        }
        return out;
    }

    private void solvePath(Backend backend, MaskedOperator op, Program program, Tensor lifted, double[] target,
            double[] betas, double gramNorm, ProgramResult[][] results, int o) {
        int groups = op.groups;
        double[] warm = new double[groups * op.dims];
        if (formulation == Formulation.RELU) {
            boolean interiorPoint = reluSolver == ReluSolver.INTERIOR_POINT
                    || (reluSolver == ReluSolver.AUTO && interiorPointFits(op));
            for (int b = 0; b < betas.length; b++) {
                if (interiorPoint) {   // an interior-point method starts from its own central point, not warm
                    try {
                        results[b][o] = ReluInteriorPoint.solve(op, program.input(), program.signs(), target,
                                program.penalties(betas[b]), program.networkSigns(), tolerance, maxIterations);
                        continue;
                    } catch (DeviceOutOfMemoryException e) {
                        if (reluSolver == ReluSolver.INTERIOR_POINT) {
                            throw e;
                        }
                        interiorPoint = false;
                    }
                }
                ProgramResult r = ReluWorkingSet.solve(backend, op, program.input(), program.mask(), program.signs(),
                        target, program.penalties(betas[b]), program.networkSigns(), gramNorm, warm, tolerance,
                        maxIterations);
                results[b][o] = r;
                warm = r.coefficients();
            }
            return;
        }
        for (int b = 0; b < betas.length; b++) {
            ProgramResult r = ProgramSolvers.groupLasso(op, target, program.penalties(betas[b]), op.lipschitz(), warm,
                    tolerance, maxIterations);
            warm = r.coefficients();
            results[b][o] = formulation == Formulation.GATED
                    ? reluOnActivePatterns(backend, lifted, target, betas[b], r, gramNorm) : r;
        }
    }

    /**
     * The most examples for which {@link ReluSolver#AUTO} picks the interior-point method: beyond, its per-iteration
     * N x N Cholesky on the host (N^3 / 3 flops) and the N^2 K d' flops of its Newton matrix outweigh the augmented
     * Lagrangian's cheaper iterations (at N = 2000 an iteration takes about 1.5-3 s on two cores, docs/convex.md).
     */
    static final int AUTO_INTERIOR_POINT_MAX_EXAMPLES = 5000;

    /**
     * Whether {@link ReluSolver#AUTO} picks the interior-point method: at most
     * {@link #AUTO_INTERIOR_POINT_MAX_EXAMPLES} examples, and the N x N Newton matrix fits on the host three times
     * (the download, the factor and its solver's copy) within half the physical memory available. (Its backend
     * matrices are checked by allocating them: a backend out of memory falls back to the augmented Lagrangian.)
     */
    private static boolean interiorPointFits(MaskedOperator op) {
        return op.n <= AUTO_INTERIOR_POINT_MAX_EXAMPLES
                && 3.0 * op.n * op.n * Double.BYTES <= 0.5 * HostMemory.availablePhysical();
    }

    /**
     * The ReLU program on the patterns the gated solution uses, warm started with v_i = u_i and stopped on its
     * own gap; its network's objective is the primal value and the gated dual (a lower bound of the ReLU
     * program over all the patterns) the dual value, so the reported gap also holds the relaxation's gap.
     */
    private ProgramResult reluOnActivePatterns(Backend backend, Tensor lifted, double[] target, double beta,
            ProgramResult gated, double gramNorm) {
        int dims = Math.toIntExact(lifted.dim(1));
        List<Long> active = new ArrayList<>();
        for (int k = 0; k < patterns.count(); k++) {
            if (Vectors.groupNorm(gated.coefficients(), k, dims) > 0) {
                active.add((long) k);
            }
        }
        if (active.isEmpty()) {
            return gated;
        }
        PatternSet used = new PatternSet(patterns.patterns().select(active.stream().mapToLong(Long::longValue).toArray()));
        Program program = reluProgram(used, lifted);
        double[] warm = new double[2 * active.size() * dims];
        for (int a = 0; a < active.size(); a++) {
            System.arraycopy(gated.coefficients(), Math.toIntExact(active.get(a)) * dims, warm, a * dims, dims);
        }
        try (MaskedOperator op = new MaskedOperator(backend, program.input(), program.mask())) {
            double lipschitz = op.lipschitz();
            double delta = gramNorm > 0 && lipschitz > 0 ? lipschitz / gramNorm : 1;
            try (ConePenalty penalty = new ConePenalty(op, program.signs(), target, delta)) {
                ProgramResult r = ProgramSolvers.relu(op, penalty, target, program.penalties(beta),
                        program.networkSigns(), lipschitz, gramNorm, warm, tolerance, maxIterations, null);
                return new ProgramResult(expand(r.coefficients(), active, dims), r.primal(), gated.dual(),
                        r.iterations() + gated.iterations(), r.converged() && gated.converged());
            }
        }
    }

    /** Coefficients over the active patterns' (v, w) groups, placed at their positions among all 2P groups. */
    private double[] expand(double[] reduced, List<Long> active, int dims) {
        int p = patterns.count();
        double[] full = new double[2 * p * dims];
        for (int a = 0; a < active.size(); a++) {
            int k = Math.toIntExact(active.get(a));
            System.arraycopy(reduced, a * dims, full, k * dims, dims);
            System.arraycopy(reduced, (active.size() + a) * dims, full, (p + k) * dims, dims);
        }
        return full;
    }

    private Program patternProgram(Tensor lifted, int n) {
        if (patterns.examples() != n) {
            throw new IllegalArgumentException("patterns: expected patterns of " + n + " examples like x but they have "
                    + patterns.examples() + " bits");
        }
        if (formulation == Formulation.RELU) {
            return reluProgram(patterns, lifted);
        }
        // the gated result is expanded to the (v, w) layout by reluOnActivePatterns before neurons are added
        return Program.scaled(lifted, patterns.mask(lifted.dtype()), null, null, null);
    }

    /** Mask [D, -D], signs [2D - 1, 2D - 1], output signs (+1 for v, -1 for w). */
    private static Program reluProgram(PatternSet set, Tensor lifted) {
        DType dtype = lifted.dtype();
        Tensor d = set.mask(dtype);
        int n = Math.toIntExact(d.dim(0));
        int p = set.count();
        Tensor mask = Tensor.allocate(dtype, n, 2L * p);
        Tensor signs = Tensor.allocate(dtype, n, 2L * p);
        for (long i = 0; i < n; i++) {
            for (long k = 0; k < p; k++) {
                double v = d.getFlat(i * p + k);
                mask.setFlat(i * 2 * p + k, v);
                mask.setFlat(i * 2 * p + p + k, -v);
                signs.setFlat(i * 2 * p + k, 2 * v - 1);
                signs.setFlat(i * 2 * p + p + k, 2 * v - 1);
            }
        }
        double[] outputSigns = new double[2 * p];
        for (int k = 0; k < 2 * p; k++) {
            outputSigns[k] = k < p ? 1 : -1;
        }
        return Program.scaled(lifted, mask, signs, outputSigns, null);
    }

    /**
     * The dictionary Lasso as a masked program with one coefficient per feature: input a column of ones,
     * mask the features relu(X~ w) for the unit directions w = +-row / ||row|| (zero rows dropped).
     */
    private Program dictionaryProgram(Backend backend, Tensor lifted) {
        int dims = Math.toIntExact(lifted.dim(1));
        if (dictionary.dim(1) != dims) {
            throw new IllegalArgumentException("dictionary: expected directions of " + dims + " entries (d"
                    + (bias ? " + 1 with the bias" : "") + ") but was " + Shapes.format(dictionary.shape()));
        }
        List<double[]> units = new ArrayList<>();
        for (long k = 0; k < dictionary.dim(0); k++) {
            double[] w = new double[dims];
            for (int j = 0; j < dims; j++) {
                w[j] = dictionary.getFlat(k * dims + j);
            }
            double norm = Math.sqrt(Vectors.dot(w, w));
            if (norm > 0) {   // a zero direction gives a zero feature and no neuron
                Vectors.scale(w, 1 / norm);
                units.add(w);
            }
        }
        int k = units.size();
        DType dtype = lifted.dtype();
        Tensor directions = Tensor.allocate(dtype, 2L * Math.max(k, 1), dims);
        double[][] signed = new double[2 * Math.max(k, 1)][];
        for (int i = 0; i < signed.length; i++) {
            double[] w = k == 0 ? new double[dims] : units.get(i % k).clone();
            if (i >= k) {
                Vectors.scale(w, -1);
            }
            signed[i] = w;
            for (int j = 0; j < dims; j++) {
                directions.setFlat((long) i * dims + j, w[j]);
            }
        }
        long n = lifted.dim(0);
        Tensor features;
        try (DeviceMatrix xd = backend.upload(lifted);
             DeviceMatrix wd = backend.upload(directions);
             DeviceMatrix f = backend.allocateUninitialised(dtype, n, signed.length)) {
            backend.linear(1, xd, wd, null, Activation.RELU, f);
            features = backend.download(f);
        }
        Tensor ones = Tensor.allocate(dtype, n, 1);
        for (long i = 0; i < n; i++) {
            ones.setFlat(i, 1);
        }
        return Program.scaled(ones, features, null, null, signed);
    }

    private static double[][] targets(Tensor y, int n) {
        Objects.requireNonNull(y, "y");
        if ((y.rank() != 1 && y.rank() != 2) || !y.dtype().isFloating() || y.dim(0) != n) {
            throw new IllegalArgumentException("y: expected a float array of shape (" + n + ",) or (" + n
                    + ", O) like x's " + n + " rows but was " + y.dtype() + " " + Shapes.format(y.shape()));
        }
        Finite.check("y", y);
        int outputs = y.rank() == 1 ? 1 : Math.toIntExact(y.dim(1));
        if (outputs < 1) {
            throw new IllegalArgumentException("y: expected at least one output column but was " + Shapes.format(y.shape()));
        }
        double[][] t = new double[outputs][n];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < outputs; o++) {
                t[o][i] = y.getFlat((long) i * outputs + o);
            }
        }
        return t;
    }

    private static void checkBetas(double[] betas) {
        Objects.requireNonNull(betas, "betas");
        if (betas.length == 0) {
            throw new IllegalArgumentException("beta: expected at least one value but got none");
        }
        for (double b : betas) {
            if (!(b > 0) || Double.isInfinite(b)) {
                throw new IllegalArgumentException("beta: expected finite values > 0 but got " + b);
            }
        }
    }

    private static double largestEigenvalue(Tensor lifted) {
        int n = Math.toIntExact(lifted.dim(0));
        int d = Math.toIntExact(lifted.dim(1));
        double[] x = lifted.toDoubleArray();
        double[] gram = new double[d * d];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < d; a++) {
                for (int b = 0; b < d; b++) {
                    gram[a * d + b] += x[i * d + a] * x[i * d + b];
                }
            }
        }
        double[] values = SymmetricEigen.of(gram, d).values();
        return d == 0 ? 0 : values[d - 1];
    }

    private static long saturatingMultiply(long a, long b) {
        return Math.multiplyHigh(a, b) != 0 || a * b < 0 ? Long.MAX_VALUE : a * b;
    }

    /**
     * A program's operator data: the operator's input (X~, or ones for the dictionary) and mask (N, K), the
     * cone signs (ReLU program only), the output sign per group, the unit directions per group (dictionary
     * only), and the group scales.
     *
     * <p>The groups are preconditioned: mask column k is divided by {@code s_k = ||diag(m_k) X~||_2}, so the
     * solvers work with z_k = s_k y_k and the penalty beta / s_k, which leaves the program unchanged and gives
     * every group the same curvature (without it, patterns of few examples move slowly under one global step).
     * A group with s_k = 0 (an empty feature, or a pattern over zero rows) has an infinite penalty: its
     * coefficient stays 0 instead of dividing by zero.
     */
    private record Program(Tensor input, Tensor mask, Tensor signs, double[] outputSigns, double[][] directions,
            double[] scales) {
        /** The program with its mask's columns divided by the group scales (in place). */
        static Program scaled(Tensor input, Tensor mask, Tensor signs, double[] outputSigns, double[][] directions) {
            int n = Math.toIntExact(input.dim(0));
            int dims = Math.toIntExact(input.dim(1));
            int groups = Math.toIntExact(mask.dim(1));
            double[] x = input.toDoubleArray();
            double[] m = mask.toDoubleArray();
            double[] scales = new double[groups];
            IntStream.range(0, groups).parallel().forEach(k -> {
                double[] gram = new double[dims * dims];
                for (int i = 0; i < n; i++) {
                    double w = m[i * groups + k] * m[i * groups + k];
                    if (w == 0) {
                        continue;
                    }
                    for (int a = 0; a < dims; a++) {
                        for (int b = a; b < dims; b++) {
                            gram[a * dims + b] += w * x[i * dims + a] * x[i * dims + b];
                        }
                    }
                }
                for (int a = 0; a < dims; a++) {
                    for (int b = 0; b < a; b++) {
                        gram[a * dims + b] = gram[b * dims + a];
                    }
                }
                double top = dims == 1 ? gram[0] : SymmetricEigen.of(gram, dims).values()[dims - 1];
                scales[k] = top > 0 ? Math.sqrt(top) : 0;
            });
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < groups; k++) {
                    long at = (long) i * groups + k;
                    mask.setFlat(at, scales[k] > 0 ? m[(int) at] / scales[k] : 0);
                }
            }
            return new Program(input, mask, signs, outputSigns, directions, scales);
        }

        /** beta / s_k per group (infinite where s_k = 0). */
        double[] penalties(double beta) {
            double[] p = new double[scales.length];
            for (int k = 0; k < p.length; k++) {
                p[k] = scales[k] > 0 ? beta / scales[k] : Double.POSITIVE_INFINITY;
            }
            return p;
        }

        /** The output sign over the scale per group: the network is {@code sum_k (s_k/scale_k) relu(X~ z_k)}. */
        double[] networkSigns() {
            double[] v = new double[scales.length];
            for (int k = 0; k < v.length; k++) {
                v[k] = scales[k] > 0 ? outputSigns[k] / scales[k] : 0;
            }
            return v;
        }

        /** Adds the neurons of one output's (scaled) coefficients. */
        void addNeurons(double[] coefficients, int output, NeuronRecovery recovery) {
            if (directions != null) {
                for (int k = 0; k < directions.length; k++) {
                    double alpha = scales[k] > 0 ? coefficients[k] / scales[k] : 0;
                    double[] c = directions[k].clone();
                    Vectors.scale(c, Math.abs(alpha));
                    recovery.add(c, Math.signum(alpha), output);
                }
                return;
            }
            int dims = Math.toIntExact(input.dim(1));
            int groups = coefficients.length / dims;
            for (int k = 0; k < groups; k++) {
                double scale = scales[k % scales.length];
                double[] c = Arrays.copyOfRange(coefficients, k * dims, (k + 1) * dims);
                Vectors.scale(c, scale > 0 ? 1 / scale : 0);
                recovery.add(c, k < groups / 2 ? 1 : -1, output);
            }
        }
    }
}
