package io.github.tangent4j.cli.demo;

import java.util.List;

/** The figures of the demo report, in report order. */
public final class Figures {
    private Figures() {
    }

    /** All figures, 1 to 7. */
    public static List<Figure> all() {
        return List.of(
                new TitledFigure("1-regions.png",
                        "1. Linear regions of a deep and a shallow ReLU network on a 2-D input plane",
                        new RegionsFigure()),
                new TitledFigure("2-regions-along-lines.png",
                        "2. Linear pieces along a line vs depth and width (exact)",
                        new LineRegionsFigure()),
                new TitledFigure("3-ntk-convergence.png",
                        "3. Empirical NTK converging to the analytic NTK as width grows",
                        new NtkConvergenceFigure()),
                new TitledFigure("4-ntk-spectrum-regression.png",
                        "4. NTK and NNGP spectra, and kernel regression of a 1-D toy target",
                        new KernelRegressionFigure()),
                new TitledFigure("5-jacobian-regularisation.png",
                        "5. Jacobian-regularised training at infinite width, and the Jacobian-NNGP posterior of (f, df/dx)",
                        new JacobianRegularisationFigure()),
                new TitledFigure("6-jacobian-norm.png",
                        "6. Input-Jacobian norm over the plane, beside the linear regions",
                        new JacobianNormFigure()),
                new TitledFigure("7-functional-dimension.png",
                        "7. Local functional dimension: rank of the parameter Jacobian vs number of inputs",
                        new FunctionalDimensionFigure()),
                new TitledFigure("8-balancing-rnorm.png",
                        "8. Balancing and the R-norm: what weight decay measures in shallow ReLU fits",
                        new BalancingFigure()),
                new TitledFigure("9-subset-learning.png",
                        "9. Subset learning: where M trainable weights sit decides what the network can fit",
                        new SubsetLearningFigure()),
                new TitledFigure("10-convex.png",
                        "8. Convex training: the certified optimum against wedge directions and gradient descent",
                        new ConvexFigure()));
    }
}
