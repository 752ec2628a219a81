package io.github.tangent4j.cli.demo;

import java.awt.image.BufferedImage;

/** One figure of the demo report: computes its numbers with the library and draws them. */
public interface Figure {
    /** The PNG file name in the report folder, e.g. {@code 1-regions.png}. */
    String file();

    /** The figure's heading in the report. */
    String title();

    /** Computes and draws the figure on the context's backend. */
    Rendered render(DemoContext context);

    /**
     * A drawn figure.
     *
     * @param image   the picture (several panels side by side)
     * @param caption one line: what it shows
     * @param details how it was computed (the library calls, sizes, seeds) and the numbers that matter,
     *                all computed at run time
     * @param sizes   the problem sizes, for the console summary
     */
    record Rendered(BufferedImage image, String caption, String details, String sizes) {
    }
}
