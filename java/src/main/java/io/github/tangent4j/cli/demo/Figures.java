package io.github.tangent4j.cli.demo;

import java.util.List;

/** The figures of the demo report, in report order. */
public final class Figures {
    private Figures() {
    }

    /** All figures, 1 to 7. */
    public static List<Figure> all() {
        return List.of(new RegionsFigure(), new LineRegionsFigure(), new NtkConvergenceFigure(),
                new KernelRegressionFigure(), new JacobianRegularisationFigure(), new JacobianNormFigure(),
                new FunctionalDimensionFigure(), new BalancingFigure(), new SubsetLearningFigure(),
                new ConvexFigure());
    }
}
