package io.github.tangent4j.cli.demo;

/**
 * The template of every demo figure: its report file name and heading, fixed in {@link Figures}, and the
 * {@link FigureBody} that computes and draws it, so a figure class holds only what it computes and draws.
 *
 * @param file  the PNG file name in the report folder, e.g. {@code 1-regions.png}
 * @param title the figure's heading in the report
 * @param body  what computes and draws the figure
 */
record TitledFigure(String file, String title, FigureBody body) implements Figure {
    @Override
    public Rendered render(DemoContext context) {
        return body.render(context);
    }
}
