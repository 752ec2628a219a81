package io.github.tangent4j.symmetry;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.patterns.ActivationPatterns;
import io.github.tangent4j.patterns.UnitFrequency;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A smaller network computing exactly the same function (to rounding), for a positively homogeneous
 * activation. Repeated until nothing changes, over the hidden layers:
 * <ul>
 *   <li>a unit with zero outgoing weights is removed;</li>
 *   <li>a unit with zero incoming weights outputs the constant {@code phi(b_j)}: it is folded into the
 *       next layer's bias, {@code b_{l+1} += W_{l+1}[:, j] phi(b_j)}, and removed;</li>
 *   <li>relu only: in hidden layers after the first, whose inputs are nonnegative, a unit with incoming
 *       weights and bias all {@code <= 0} is off for every input and removed;</li>
 *   <li>positively collinear units, {@code (w_j, b_j) = c (w_k, b_k)} with c &gt; 0, compute
 *       {@code phi(z_j) = c phi(z_k)}: j is merged into k, {@code W_{l+1}[:, k] += c W_{l+1}[:, j]}. For
 *       abs, antiparallel units (c &lt; 0) merge the same way with |c|. They are found with one Gram GEMM
 *       of the normalised rows {@code (w_j, b_j) / ||(w_j, b_j)||} per layer on the backend (candidates:
 *       cosine above {@code 1 - 1e-6}), each candidate then checked entry by entry against the
 *       tolerance: {@code |r_j - c r_k| <= tolerance ||r_j||}.</li>
 * </ul>
 * With the identity activation the network is one affine map and collapses to one layer. Antiparallel
 * relu and leaky_relu pairs ({@code relu(z) - relu(-z) = z}) would need a skip connection to merge, so
 * they are left and reported ({@link Result#antiparallel}).
 *
 * <p>{@link #withData} first removes relu units never active (pre-activation &gt; 0) on the given inputs,
 * counted by the patterns family: the result then equals the network on those inputs only
 * ({@link Result#exactOnDataOnly}).
 *
 * <p>The result has the effective weights in the STANDARD parameterization ({@link EffectiveNetwork}),
 * since NTK factors depend on the widths, and the network's dtype. Immutable.
 *
 * @param mlp       the network (positively homogeneous activation)
 * @param tolerance how close (relative to their norm, in [0, 1e-3)) rows must be to merge
 * @param data      the inputs (N >= 1, D) on which never-active relu units are removed, or {@code null}
 */
public record Compression(Mlp mlp, double tolerance, Tensor data) {
    /**
     * What was compressed.
     *
     * @param network          the compressed network (effective weights, STANDARD)
     * @param widthsBefore     {@code (D, n_1, ..., n_L, O)} of the given network
     * @param widthsAfter      the widths of {@code network} ({@code (D, O)} after an identity collapse)
     * @param zeroOutgoing     units removed for zero outgoing weights
     * @param zeroIncoming     units folded into the next bias
     * @param dead             relu units off for every input, removed
     * @param merged           units merged into a collinear unit
     * @param neverActiveOnData relu units never active on the data, removed
     * @param antiparallel     antiparallel pairs left in the compressed network (its unit indices)
     * @param exactOnDataOnly  whether units were removed for the data: then the function is the same on it only
     */
    public record Result(Mlp network, long[] widthsBefore, long[] widthsAfter, int zeroOutgoing, int zeroIncoming,
            int dead, int merged, int neverActiveOnData, List<Pair> antiparallel, boolean exactOnDataOnly) {
        /** Copies the arrays and the list. */
        public Result {
            widthsBefore = widthsBefore.clone();
            widthsAfter = widthsAfter.clone();
            antiparallel = List.copyOf(antiparallel);
        }

        /** The widths before (a copy). */
        @Override
        public long[] widthsBefore() {
            return widthsBefore.clone();
        }

        /** The widths after (a copy). */
        @Override
        public long[] widthsAfter() {
            return widthsAfter.clone();
        }
    }

    /**
     * Two units of one hidden layer.
     *
     * @param first  the lower-index unit
     * @param second the other
     */
    public record Pair(Unit first, Unit second) {
    }

    /**
     * Checks the network, the tolerance and the data.
     *
     * @throws IllegalArgumentException if the activation is not relu, leaky_relu, abs or identity, unless
     *                                  0 &lt;= tolerance &lt; 1e-3, or if data is given for another activation
     *                                  than relu or is empty
     */
    public Compression {
        Homogeneous.require(mlp);
        if (!(tolerance >= 0 && tolerance < 1e-3)) {
            throw new IllegalArgumentException("tolerance: expected a number in [0, 1e-3) but was " + tolerance);
        }
        if (data != null) {
            if (mlp.activation().kind() != Activation.Kind.RELU) {
                throw new IllegalArgumentException("x: only relu units output zero where they are never active, but "
                        + "the network uses " + mlp.activation());
            }
            if (data.rank() != 2 || data.dim(0) == 0) {
                throw new IllegalArgumentException("x: expected at least one input (N >= 1, " + mlp.inputDim()
                        + ") but was " + io.github.tangent4j.tensor.Shapes.format(data.shape()));
            }
        }
    }

    /**
     * Compression of {@code mlp} with the default tolerance (1e-12 for F64 networks, 1e-6 for F32).
     *
     * @throws IllegalArgumentException if the activation is not relu, leaky_relu, abs or identity
     */
    public static Compression of(Mlp mlp) {
        return new Compression(mlp, mlp.dtype() == DType.F32 ? 1e-6 : 1e-12, null);
    }

    /**
     * A copy that merges rows equal up to {@code tolerance} relative to their norm.
     *
     * @throws IllegalArgumentException unless 0 &lt;= tolerance &lt; 1e-3
     */
    public Compression withTolerance(double tolerance) {
        return new Compression(mlp, tolerance, data);
    }

    /**
     * A copy that also removes relu units never active on the inputs {@code x} (N &gt;= 1, D), of the
     * network's dtype; {@code null}: none.
     *
     * @throws IllegalArgumentException if the activation is not relu, or x is empty
     */
    public Compression withData(Tensor x) {
        return new Compression(mlp, tolerance, x);
    }

    /** Compresses, with the Gram GEMMs (and the patterns, with data) on {@code backend}. */
    public Result compute(Backend backend) {
        Objects.requireNonNull(backend, "backend");
        Mlp effective = EffectiveNetwork.of(mlp);
        HostNetwork net = HostNetwork.of(effective);
        Activation phi = mlp.activation();
        int onData = data == null ? 0 : removeNeverActive(backend, effective, net);
        if (phi.kind() == Activation.Kind.IDENTITY) {
            HostNetwork one = collapse(net);
            return new Result(toMlp(one), mlp.widths(), toLong(one.widths), 0, 0, 0, 0, onData, List.of(), onData > 0);
        }
        int[] counts = new int[4];
        List<Pair> antiparallel = new ArrayList<>();
        boolean changed = true;
        while (changed) {
            changed = false;
            antiparallel.clear();
            for (int h = 0; h < net.hiddenLayers(); h++) {
                changed |= ConstantUnits.remove(net, h, phi, counts);
                int merged = CollinearUnits.merge(backend, net, h, phi.kind() == Activation.Kind.ABS, tolerance,
                        antiparallel);
                counts[3] += merged;
                changed |= merged > 0;
            }
        }
        return new Result(toMlp(net), mlp.widths(), toLong(net.widths), counts[0], counts[1], counts[2], counts[3],
                onData, antiparallel, onData > 0);
    }

    private Mlp toMlp(HostNetwork net) {
        return net.toMlp(mlp.dtype(), mlp.activation(), Parameterization.STANDARD);
    }

    private static long[] toLong(int[] w) {
        return Arrays.stream(w).asLongStream().toArray();
    }

    /** Removes the relu units never active on the data; returns their number. */
    private int removeNeverActive(Backend backend, Mlp effective, HostNetwork net) {
        long[] dead = UnitFrequency.of(ActivationPatterns.of(effective).compute(backend, data, null).packed()).dead();
        int removed = 0;
        long offset = 0;
        for (int h = 0; h < net.hiddenLayers(); h++) {
            boolean[] keep = new boolean[net.width(h)];
            Arrays.fill(keep, true);
            for (long u : dead) {
                if (u >= offset && u < offset + keep.length) {
                    keep[(int) (u - offset)] = false;
                    removed++;
                }
            }
            offset += keep.length;
            net.keep(h, keep);
        }
        return removed;
    }

    /** The one affine layer equal to a network with the identity activation. */
    private static HostNetwork collapse(HostNetwork net) {
        HostNetwork one = net.copy();
        while (one.layers() > 1) {
            one = one.mergeFirstTwoLayers();
        }
        return one;
    }
}
