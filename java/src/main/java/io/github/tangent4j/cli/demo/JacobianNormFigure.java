package io.github.tangent4j.cli.demo;

import io.github.tangent4j.cli.demo.Figure.Rendered;
import io.github.tangent4j.jacobian.JacobianNorms;
import io.github.tangent4j.jacobian.Jacobians;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.patterns.SliceRegions;
import java.util.List;
import java.util.Locale;

/**
 * Figure 6: the input-Jacobian norm {@code ||df/dx||_F} of figure 1's deep network over the same plane,
 * beside its regions: the network is affine on each region, so the norm is piecewise constant and
 * changes only across region boundaries (drawn white on the heat map). The caption reports the largest
 * spread of the norm inside one region as a check.
 */
final class JacobianNormFigure implements FigureBody {
    static final String CAPTION = "The input-Jacobian norm ||df/dx||_F of figure 1's deep network over the same "
            + "square, beside its linear regions.";

    @Override
    public Rendered render(DemoContext ctx) {
        int side = ctx.size(240, 32);
        Mlp deep = Plane.deep(ctx);
        SliceRegions regions = Plane.regions(ctx, deep, side);
        JacobianNorms norms = Jacobians.of(deep).inputNorms(ctx.backend(), Plane.pixelCentres(side));
        int[] ids = Plane.ids(regions);
        double[] norm = new double[ids.length];
        for (int p = 0; p < norm.length; p++) {
            norm[p] = Math.sqrt(norms.perExample().getFlat(p));
        }
        double spread = largestSpreadWithinRegions(ids, norm, regions.regions());
        ScalarScale scale = ScalarScale.linear(norm);
        int[] rgb = new int[norm.length];
        for (int p = 0; p < norm.length; p++) {
            rgb[p] = Plane.boundary(ids, side, p) ? 0xFFFFFF : scale.colour(norm[p]);
        }
        double max = scale.max();
        String details = String.format(Locale.ROOT,
                "The norm ||df/dx||_F of figure 1's deep network (%s) at %d x %d points of the same square"
                        + " (jacobian.Jacobians.inputNorms: one reverse-mode GEMM sweep for all points), region"
                        + " boundaries drawn white, beside its %d regions at this resolution: the network is affine on"
                        + " each region, so the norm is"
                        + " constant there (largest relative spread inside one region: %.1e) and jumps across"
                        + " boundaries; it ranges from %.3g to %.3g, mean squared norm %.3g.",
                RegionsFigure.describe(deep), side, side, regions.regions(), spread, scale.min(), max, norms.mean());
        return new Rendered(Panels.row(List.of(
                Plane.regionPanel(regions, "regions (" + regions.regions() + ")"),
                Plane.panel("||df/dx||_F").colourBar(scale, "||df/dx||_F").draw(rgb, side, side))),
                CAPTION, details, side + "x" + side + " points");
    }

    /** max over regions of (max - min) / max|norm| of the norms of its pixels (0 when all are 0). */
    static double largestSpreadWithinRegions(int[] ids, double[] norm, int regions) {
        double[] lo = new double[regions];
        double[] hi = new double[regions];
        java.util.Arrays.fill(lo, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(hi, Double.NEGATIVE_INFINITY);
        double top = 0;
        for (int p = 0; p < ids.length; p++) {
            lo[ids[p]] = Math.min(lo[ids[p]], norm[p]);
            hi[ids[p]] = Math.max(hi[ids[p]], norm[p]);
            top = Math.max(top, Math.abs(norm[p]));
        }
        double spread = 0;
        for (int r = 0; r < regions; r++) {
            spread = Math.max(spread, hi[r] - lo[r]);
        }
        return top == 0 ? 0 : spread / top;
    }
}
