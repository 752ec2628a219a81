package io.github.tangent4j.cli.demo;

import io.github.tangent4j.cli.demo.Figure.Rendered;
import io.github.tangent4j.kernels.FunctionalDimension;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.ParameterMask;
import io.github.tangent4j.nn.StateDict;
import io.github.tangent4j.patterns.ActivationPatterns;
import io.github.tangent4j.patterns.PackedPatterns;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.awt.Color;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;

/**
 * Figure 7: the local functional dimension of a random ReLU network — the rank of its parameter
 * Jacobian stacked over N inputs ({@link FunctionalDimension}, SVD) — against N, beside the bound
 * {@code min(N O, P - hidden units)} (Grigsby et al. 2022), and the same for two allocations of one
 * number K of trainable parameters ({@link ParameterMask}): a whole hidden-to-hidden weight matrix, and
 * K parameters drawn at random from all layers.
 */
final class FunctionalDimensionFigure implements FigureBody {
    static final String CAPTION = "Rank of the parameter Jacobian (local functional dimension) against the number "
            + "of inputs, with all parameters and with two allocations of the same number of "
            + "trainable ones.";

    @Override
    public Rendered render(DemoContext ctx) {
        int w = ctx.size(16, 4);
        Mlp mlp = Plane.network(Plane.SEED, 2, w, w, 1);
        long p = mlp.parameterCount();
        long bound = p - mlp.hiddenUnits();
        int steps = ctx.size(20, 6);
        int maxN = (int) Math.ceil(1.3 * bound);
        int[] ns = new int[steps];
        for (int i = 0; i < steps; i++) {
            ns[i] = Math.max(1, (int) Math.round((double) maxN * (i + 1) / steps));
        }
        Tensor x = gaussianInputs(maxN, 7);
        ParameterMask block = mask(mlp, concentrated(mlp), "the layer-2 weight matrix");
        long k = block.count();
        ParameterMask spread = mask(mlp, random(p, k, 11), "random parameters");

        double[] n = new double[steps];
        double[] full = new double[steps];
        double[] fullBound = new double[steps];
        double[] rankBlock = new double[steps];
        double[] rankSpread = new double[steps];
        double[] maskBound = new double[steps];
        PackedPatterns patterns = ActivationPatterns.of(mlp).compute(ctx.backend(), x, null).packed();
        long[] constant = constantUnits(patterns);
        for (int i = 0; i < steps; i++) {
            Tensor xi = x.slice(0, ns[i]);
            n[i] = ns[i];
            full[i] = FunctionalDimension.of(mlp).compute(ctx.backend(), xi).rank();
            fullBound[i] = Math.min((long) ns[i] * mlp.outputDim(), bound);
            rankBlock[i] = FunctionalDimension.of(mlp).withMask(block).compute(ctx.backend(), xi).rank();
            rankSpread[i] = FunctionalDimension.of(mlp).withMask(spread).compute(ctx.backend(), xi).rank();
            maskBound[i] = Math.min((long) ns[i] * mlp.outputDim(), k);
        }
        XYChart all = Charts.chart("all " + p + " parameters", "number of inputs N", "rank of dF/dtheta (N x P)");
        all.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        Charts.line(all, "min(N, P - hidden units)", n, fullBound, Color.GRAY).setLineStyle(Charts.dashed());
        Charts.errorBars(all, "rank", n, full, null, Charts.COLOURS[0]);
        XYChart masked = Charts.chart(k + " trainable parameters, two allocations", "number of inputs N",
                "rank of the trainable columns");
        masked.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        Charts.line(masked, "min(N, K)", n, maskBound, Color.GRAY).setLineStyle(Charts.dashed());
        Charts.errorBars(masked, "one weight matrix (layer 2)", n, rankBlock, null, Charts.COLOURS[1]);
        Charts.errorBars(masked, "random across layers", n, rankSpread, null, Charts.COLOURS[2]);
        int last = steps - 1;
        String details = String.format(Locale.ROOT,
                "Rank of the parameter Jacobian of a random ReLU network %s (P = %d, %d hidden units) stacked over N"
                        + " standard Gaussian inputs in R^2 (kernels.FunctionalDimension, SVD, NumPy's matrix_rank"
                        + " tolerance) against the upper bound min(N, P - hidden units) = min(N, %d): at N = %d the"
                        + " rank is %d; %d hidden units are inactive and %d active at every input"
                        + " (patterns.ActivationPatterns). Right: only K = %d"
                        + " trainable parameters (nn.ParameterMask), all in the layer-2 weight matrix (rank %d at"
                        + " N = %d) or drawn at random from all layers (rank %d).",
                RegionsFigure.describe(mlp), p, mlp.hiddenUnits(), bound, ns[last], (long) full[last], constant[0],
                constant[1], k, (long) rankBlock[last], ns[last], (long) rankSpread[last]);
        return new Rendered(Panels.row(List.of(Charts.image(all), Charts.image(masked))), CAPTION, details,
                "P = " + p + ", N up to " + maxN + ", " + steps + " steps x 3 ranks");
    }

    /** {inactive, active}: the number of units whose bit is 0 on every row, and 1 on every row. */
    static long[] constantUnits(PackedPatterns patterns) {
        long[] c = new long[2];
        for (long j = 0; j < patterns.bits(); j++) {
            boolean any = false;
            boolean all = true;
            for (long r = 0; r < patterns.rows(); r++) {
                boolean b = patterns.bit(r, j);
                any |= b;
                all &= b;
            }
            c[0] += any ? 0 : 1;
            c[1] += all ? 1 : 0;
        }
        return c;
    }

    private static Tensor gaussianInputs(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor x = Tensor.allocate(DType.F64, n, 2);
        for (long i = 0; i < x.size(); i++) {
            x.setFlat(i, rng.nextGaussian());
        }
        return x;
    }

    /** Flags in parameter order: true for the weights of the second layer (state-dict key 2.weight). */
    private static boolean[] concentrated(Mlp mlp) {
        boolean[] flags = new boolean[Math.toIntExact(mlp.parameterCount())];
        int offset = 0;
        for (Map.Entry<String, Tensor> e : StateDict.fromMlp(mlp).entrySet()) {
            int size = Math.toIntExact(e.getValue().size());
            if (e.getKey().equals("2.weight")) {
                java.util.Arrays.fill(flags, offset, offset + size, true);
            }
            offset += size;
        }
        return flags;
    }

    /** {@code k} of {@code p} flags set, chosen uniformly at random (seeded). */
    private static boolean[] random(long p, long k, long seed) {
        int[] order = new int[Math.toIntExact(p)];
        java.util.Arrays.setAll(order, i -> i);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        boolean[] flags = new boolean[order.length];
        for (int i = 0; i < k; i++) {
            flags[order[i]] = true;
        }
        return flags;
    }

    /**
     * The mask with {@code flags} (parameter order), built as a state dict of 0/1 arrays and read by
     * {@link ParameterMask#of}.
     */
    private static ParameterMask mask(Mlp mlp, boolean[] flags, String name) {
        return ParameterMask.of(mlp, ParameterMask.stateDict(mlp, flags), name);
    }
}
