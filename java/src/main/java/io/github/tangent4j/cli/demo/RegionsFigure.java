package io.github.tangent4j.cli.demo;

import io.github.tangent4j.cli.demo.Figure.Rendered;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.patterns.SliceRegions;
import java.util.List;
import java.util.Locale;

/**
 * Figure 1: the linear regions of a deep and a shallow random ReLU network with the same number of
 * parameters on the 2-D input plane ({@link Plane}), each region one colour, boundaries dark, counted
 * as the distinct activation patterns among the pixel centres ({@link SliceRegions}).
 */
final class RegionsFigure implements FigureBody {
    static final String CAPTION = "Linear regions of a deep and a shallow random ReLU network with the same "
            + "number of parameters on a square of their 2-D input space, one colour per "
            + "region.";

    @Override
    public Rendered render(DemoContext ctx) {
        int side = ctx.size(480, 48);
        Mlp deep = Plane.deep(ctx);
        Mlp shallow = Plane.shallow(ctx);
        SliceRegions rd = Plane.regions(ctx, deep, side);
        SliceRegions rs = Plane.regions(ctx, shallow, side);
        String details = String.format(Locale.ROOT,
                "Linear regions of two random ReLU networks with the same parameter count on the square [-%.1f, %.1f]^2"
                        + " of their input space: %s (%d hidden units, %d parameters) has %d regions, %s (%d hidden"
                        + " units, %d parameters) has %d. Regions are the distinct activation patterns among the"
                        + " %d x %d pixel centres (patterns.SliceRegions: one GEMM per layer for all pixels);"
                        + " He initialisation, seed %d.",
                Plane.HALF, Plane.HALF, describe(deep), deep.hiddenUnits(), deep.parameterCount(), rd.regions(),
                describe(shallow), shallow.hiddenUnits(), shallow.parameterCount(), rs.regions(), side, side,
                Plane.SEED);
        return new Rendered(Panels.row(List.of(
                Plane.regionPanel(rd, "depth " + deep.depth() + " (" + describe(deep) + "): " + rd.regions()
                        + " regions"),
                Plane.regionPanel(rs, "depth " + shallow.depth() + " (" + describe(shallow) + "): " + rs.regions()
                        + " regions"))),
                CAPTION, details, side + "x" + side + " pixels, " + deep.parameterCount() + " parameters each");
    }

    /** The widths joined by dashes, e.g. 2-16-16-16-1. */
    static String describe(Mlp mlp) {
        StringBuilder s = new StringBuilder();
        for (long w : mlp.widths()) {
            s.append(s.isEmpty() ? "" : "-").append(w);
        }
        return s.toString();
    }
}
