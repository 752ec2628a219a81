package io.github.tangent4j.cli.demo;

/** What one demo figure computes and draws; {@link TitledFigure} gives it its file name and heading. */
@FunctionalInterface
interface FigureBody {
    /** Computes and draws the figure on the context's backend. */
    Figure.Rendered render(DemoContext context);
}
