package io.github.tangent4j.cli.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The report folder: each figure's PNG as it is finished (through the command's writer, which stages the
 * files and renames them into place together at the end), and {@code index.html} (title, the run's
 * backend and sizes, then per figure its heading, picture, one-line caption, details and computing time).
 */
public final class Report {
    private final Path folder;
    private final ReportFiles files;
    private final List<String> sections = new ArrayList<>();

    /** A report written into {@code folder} (which exists) through {@code files}. */
    public Report(Path folder, ReportFiles files) {
        this.folder = folder;
        this.files = files;
    }

    /**
     * Checks, before anything is computed, that this Java runtime can draw text into an image and
     * encode a PNG (a headless JDK needs fontconfig and at least one font).
     *
     * @throws IllegalStateException saying what is missing
     */
    public static void checkDrawing() {
        try {
            java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(8, 8,
                    java.awt.image.BufferedImage.TYPE_INT_RGB);
            java.awt.Graphics2D g = img.createGraphics();
            try {
                g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12));
                g.drawString("0", 0, 8);
                g.getFontMetrics().stringWidth("0");
            } finally {
                g.dispose();
            }
        } catch (RuntimeException | LinkageError | java.awt.AWTError | InternalError e) {
            throw new IllegalStateException("cannot draw the figures: this Java runtime cannot render text (" + e
                    + "); install fontconfig and a font, e.g. the fonts-dejavu-core package", e);
        }
        if (!ImageIO.getImageWritersByFormatName("png").hasNext()) {
            throw new IllegalStateException("cannot write the figures: this Java runtime has no PNG writer");
        }
    }

    /** Writes the figure's PNG and records its section for the index. */
    public void add(Figure figure, Figure.Rendered rendered, double seconds) throws IOException {
        files.write(folder.resolve(figure.file()), tmp -> {
            if (!ImageIO.write(rendered.image(), "png", tmp.toFile())) {
                throw new IOException("no PNG writer in this Java runtime");
            }
        });
        sections.add("<section>\n<h2>" + escape(figure.title()) + "</h2>\n<img src=\"" + escape(figure.file())
                + "\" alt=\"" + escape(figure.title()) + "\">\n<p class=\"caption\">" + escape(rendered.caption())
                + "</p>\n<p class=\"details\">" + escape(rendered.details()) + "</p>\n"
                + String.format(Locale.ROOT, "<p class=\"time\">computed and drawn in %.2f s</p>%n", seconds)
                + "</section>");
    }

    /** Writes {@code index.html} with the sections added so far; {@code about} lines go under the title. */
    public Path finish(List<String> about) throws IOException {
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>tangent4j demo</title>\n<style>\n")
                .append("body{font-family:sans-serif;max-width:1640px;margin:2em auto;padding:0 1em;color:#222}\n")
                .append("img{max-width:100%;border:1px solid #ddd}\n.caption{font-weight:bold}\n")
                .append(".details{font-size:92%;color:#444}\n.time{color:#777;font-size:90%}\n")
                .append("section{margin-bottom:2.5em}\n</style>\n</head>\n<body>\n")
                .append("<h1>tangent4j demo</h1>\n<ul>\n");
        for (String line : about) {
            html.append("<li>").append(escape(line)).append("</li>\n");
        }
        html.append("</ul>\n");
        for (String s : sections) {
            html.append(s).append('\n');
        }
        html.append("</body>\n</html>\n");
        Path index = folder.resolve("index.html");
        files.write(index, tmp -> Files.writeString(tmp, html, StandardCharsets.UTF_8));
        return index;
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
