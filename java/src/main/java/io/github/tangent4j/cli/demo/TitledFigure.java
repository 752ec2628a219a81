package io.github.tangent4j.cli.demo;

/**
 * The template of every demo figure: its report file name and heading are fixed when it is made, so a figure
 * class holds only what it computes and draws ({@link #render}).
 */
abstract class TitledFigure implements Figure {
    private final String file;
    private final String title;

    /**
     * @param file  the PNG file name in the report folder, e.g. {@code 1-regions.png}
     * @param title the figure's heading in the report
     */
    TitledFigure(String file, String title) {
        this.file = file;
        this.title = title;
    }

    @Override
    public final String file() {
        return file;
    }

    @Override
    public final String title() {
        return title;
    }
}
