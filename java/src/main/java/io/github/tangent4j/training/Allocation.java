package io.github.tangent4j.training;

import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.ParameterLayout;
import io.github.tangent4j.nn.ParameterMask;
import io.github.tangent4j.nn.StateDict;
import io.github.tangent4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Where M trainable weights of a network sit (Schlisselberg and Darshan, arXiv 2502.06300, section 2):
 * <ul>
 *   <li>{@code random}: M parameters chosen uniformly;</li>
 *   <li>{@code layer:L}: M parameters of the L-th linear layer (counted from 1), filling whole rows
 *       first;</li>
 *   <li>{@code rows}: concentrated in as few output units (weight rows) as possible, longest rows first;</li>
 *   <li>{@code columns}: concentrated in as few input units (weight columns) as possible, longest
 *       columns first;</li>
 *   <li>{@code spread}: as evenly as possible over the layers (in turn), and within a layer over its rows
 *       and its columns (row and column counts differ by at most one).</li>
 * </ul>
 * Weights only, unless biases are included: a bias then counts as one more entry of its unit's row
 * (and, for {@code columns} and {@code spread}, as one more column, the constant input). Each allocation
 * is a seeded order of the candidate parameters and a mask of M is its first M: masks of growing M with
 * one seed are nested. Ties (rows or columns of equal length) are broken by the seed.
 */
public final class Allocation {
    /** The kinds of allocation. */
    public enum Kind {
        /** Uniformly at random. */
        RANDOM,
        /** In one layer, whole rows first. */
        LAYER,
        /** In as few rows as possible. */
        ROWS,
        /** In as few columns as possible. */
        COLUMNS,
        /** Evenly over layers, rows and columns. */
        SPREAD
    }

    private final Kind kind;
    private final int layer;

    private Allocation(Kind kind, int layer) {
        this.kind = kind;
        this.layer = layer;
    }

    /** An allocation of a kind other than {@link Kind#LAYER}. */
    public static Allocation of(Kind kind) {
        if (Objects.requireNonNull(kind, "kind") == Kind.LAYER) {
            throw new IllegalArgumentException("kind: LAYER needs a layer; use Allocation.layer(L)");
        }
        return new Allocation(kind, 0);
    }

    /** All M parameters in the {@code l}-th linear layer, counted from 1. */
    public static Allocation layer(int l) {
        if (l < 1) {
            throw new IllegalArgumentException("layer: expected a layer number >= 1 (counted from 1) but was " + l);
        }
        return new Allocation(Kind.LAYER, l);
    }

    /**
     * Parses {@code random}, {@code layer:L}, {@code rows}, {@code columns} or {@code spread}.
     *
     * @throws IllegalArgumentException naming the text and the accepted forms
     */
    public static Allocation parse(String text) {
        String t = Objects.requireNonNull(text, "text").trim().toLowerCase(Locale.ROOT);
        if (t.startsWith("layer:")) {
            try {
                return layer(Integer.parseInt(t.substring(6)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("allocation '" + text + "': expected layer:L with L a layer number"
                        + " counted from 1");
            }
        }
        return switch (t) {
            case "random" -> of(Kind.RANDOM);
            case "rows" -> of(Kind.ROWS);
            case "columns" -> of(Kind.COLUMNS);
            case "spread" -> of(Kind.SPREAD);
            default -> throw new IllegalArgumentException("allocation '" + text
                    + "': expected random, layer:L, rows, columns or spread");
        };
    }

    /** The kind. */
    public Kind kind() {
        return kind;
    }

    /** The name as {@link #parse} reads it, e.g. {@code layer:2}. */
    public String name() {
        return kind == Kind.LAYER ? "layer:" + layer : kind.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return name();
    }

    /** The number of parameters this allocation can choose from in {@code mlp}. */
    public long capacity(Mlp mlp, boolean biases) {
        return order(mlp, biases, 0).length;
    }

    /**
     * The first {@code m} parameters of this allocation's order as a mask of {@code mlp}.
     *
     * @throws IllegalArgumentException if m < 1 or m exceeds what the allocation can choose from (both named)
     */
    public ParameterMask mask(Mlp mlp, long m, boolean biases, long seed) {
        return ParameterMask.of(mlp, stateDict(mlp, m, biases, seed), name());
    }

    /**
     * The mask of {@link #mask} as a state dict of booleans with the keys of {@link StateDict#fromMlp}
     * (what a mask {@code .npz} holds).
     */
    public Map<String, Tensor> stateDict(Mlp mlp, long m, boolean biases, long seed) {
        int[] order = order(mlp, biases, seed);
        if (m < 1 || m > order.length) {
            throw new IllegalArgumentException("m: expected 1 to " + order.length + " (the " + (biases ? "weights and biases"
                    : "weights") + (kind == Kind.LAYER ? " of layer " + layer : "") + " of " + mlp + ") but was " + m);
        }
        boolean[] flags = new boolean[Math.toIntExact(mlp.parameterCount())];
        for (int k = 0; k < m; k++) {
            flags[order[k]] = true;
        }
        return ParameterMask.stateDict(mlp, flags);
    }

    /**
     * The order in which this allocation takes parameters (indices in {@link ParameterLayout} order); a
     * mask of m is its first m entries.
     */
    public int[] order(Mlp mlp, boolean biases, long seed) {
        Objects.requireNonNull(mlp, "mlp");
        SplittableRandom rng = new SplittableRandom(seed);
        return switch (kind) {
            case RANDOM -> {
                int[] c = candidates(mlp, biases).stream().mapToInt(Integer::intValue).toArray();
                FisherYates.shuffle(c, rng);
                yield c;
            }
            case LAYER -> {
                if (layer > mlp.layers().size()) {
                    throw new IllegalArgumentException("allocation " + name() + ": expected a layer in 1.."
                            + mlp.layers().size() + " of " + mlp + " but was " + layer);
                }
                yield concat(rows(mlp, layer - 1, biases));
            }
            case ROWS -> {
                List<int[]> all = new ArrayList<>();
                for (int l = 0; l < mlp.layers().size(); l++) {
                    all.addAll(rows(mlp, l, biases));
                }
                yield concat(longestFirst(all, rng));
            }
            case COLUMNS -> {
                List<int[]> all = new ArrayList<>();
                for (int l = 0; l < mlp.layers().size(); l++) {
                    all.addAll(columns(mlp, l, biases));
                }
                yield concat(longestFirst(all, rng));
            }
            case SPREAD -> spread(mlp, biases, rng);
        };
    }

    private static List<Integer> candidates(Mlp mlp, boolean biases) {
        ParameterLayout layout = ParameterLayout.of(mlp);
        List<Integer> c = new ArrayList<>();
        for (int l = 0; l < mlp.layers().size(); l++) {
            Layer layer = mlp.layers().get(l);
            long w = layout.weightOffset(l);
            for (long i = 0; i < layer.out() * layer.in(); i++) {
                c.add(Math.toIntExact(w + i));
            }
            if (biases && layer.hasBias()) {
                for (long i = 0; i < layer.out(); i++) {
                    c.add(Math.toIntExact(layout.biasOffset(l) + i));
                }
            }
        }
        return c;
    }

    /** The rows of layer l: per unit, its weights (and bias), as parameter indices. */
    private static List<int[]> rows(Mlp mlp, int l, boolean biases) {
        ParameterLayout layout = ParameterLayout.of(mlp);
        Layer layer = mlp.layers().get(l);
        boolean bias = biases && layer.hasBias();
        int in = Math.toIntExact(layer.in());
        List<int[]> rows = new ArrayList<>();
        for (int u = 0; u < layer.out(); u++) {
            int[] row = new int[in + (bias ? 1 : 0)];
            for (int v = 0; v < in; v++) {
                row[v] = Math.toIntExact(layout.weightOffset(l) + (long) u * in + v);
            }
            if (bias) {
                row[in] = Math.toIntExact(layout.biasOffset(l) + u);
            }
            rows.add(row);
        }
        return rows;
    }

    /** The columns of layer l: per input, its weights, and the bias as one more column. */
    private static List<int[]> columns(Mlp mlp, int l, boolean biases) {
        ParameterLayout layout = ParameterLayout.of(mlp);
        Layer layer = mlp.layers().get(l);
        int in = Math.toIntExact(layer.in());
        int out = Math.toIntExact(layer.out());
        List<int[]> cols = new ArrayList<>();
        for (int v = 0; v < in; v++) {
            int[] col = new int[out];
            for (int u = 0; u < out; u++) {
                col[u] = Math.toIntExact(layout.weightOffset(l) + (long) u * in + v);
            }
            cols.add(col);
        }
        if (biases && layer.hasBias()) {
            int[] col = new int[out];
            for (int u = 0; u < out; u++) {
                col[u] = Math.toIntExact(layout.biasOffset(l) + u);
            }
            cols.add(col);
        }
        return cols;
    }

    /** Groups in a seeded random order, then stably by length, longest first; each group shuffled inside. */
    private static List<int[]> longestFirst(List<int[]> groups, SplittableRandom rng) {
        List<int[]> g = new ArrayList<>(groups);
        for (int i = g.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int[] t = g.get(i);
            g.set(i, g.get(j));
            g.set(j, t);
        }
        g.sort(Comparator.comparingInt((int[] a) -> a.length).reversed());
        for (int[] a : g) {
            FisherYates.shuffle(a, rng);
        }
        return g;
    }

    /**
     * Layers in turn (skipping full ones); within layer l the k-th pick is entry
     * {@code (rowPerm[k mod R], colPerm[(k + floor(k / lcm(R, C))) mod C])} of its R x C grid (C counting the
     * bias column), which visits every entry once and keeps row and column counts within one of each other.
     */
    private static int[] spread(Mlp mlp, boolean biases, SplittableRandom rng) {
        ParameterLayout layout = ParameterLayout.of(mlp);
        int layers = mlp.layers().size();
        int[][] perLayer = new int[layers][];
        int total = 0;
        for (int l = 0; l < layers; l++) {
            Layer layer = mlp.layers().get(l);
            int rows = Math.toIntExact(layer.out());
            int in = Math.toIntExact(layer.in());
            int cols = in + (biases && layer.hasBias() ? 1 : 0);
            int[] rowPerm = permutation(rows, rng);
            int[] colPerm = permutation(cols, rng);
            long lcm = (long) rows / gcd(rows, cols) * cols;
            int[] seq = new int[rows * cols];
            for (int k = 0; k < seq.length; k++) {
                int u = rowPerm[k % rows];
                int v = colPerm[(int) ((k + k / lcm) % cols)];
                seq[k] = Math.toIntExact(v < in ? layout.weightOffset(l) + (long) u * in + v : layout.biasOffset(l) + u);
            }
            perLayer[l] = seq;
            total += seq.length;
        }
        int[] order = new int[total];
        int[] next = new int[layers];
        int k = 0;
        while (k < total) {
            for (int l = 0; l < layers; l++) {
                if (next[l] < perLayer[l].length) {
                    order[k++] = perLayer[l][next[l]++];
                }
            }
        }
        return order;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        Arrays.setAll(p, i -> i);
        FisherYates.shuffle(p, rng);
        return p;
    }

    private static int[] concat(List<int[]> groups) {
        return groups.stream().flatMapToInt(Arrays::stream).toArray();
    }


    @Override
    public boolean equals(Object o) {
        return o instanceof Allocation a && a.kind == kind && a.layer == layer;
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + layer;
    }
}
