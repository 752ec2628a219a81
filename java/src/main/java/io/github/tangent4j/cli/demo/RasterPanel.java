package io.github.tangent4j.cli.demo;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;

/**
 * A panel showing a raster (a map over a rectangle of a 2-D domain, row 0 at the top) with a title,
 * axes with ticks and labels, and, when its colours carry values, a colour bar: drawn with Java2D
 * straight into an image, pixels scaled without smoothing so region boundaries stay sharp.
 */
final class RasterPanel {
    static final int WIDTH = 520;
    static final int HEIGHT = 470;
    private static final int LEFT = 62;
    private static final int TOP = 40;
    private static final int BOTTOM = 52;
    private static final int BAR_SPACE = 96;
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15);
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final double[] xRange;
    private final double[] yRange;
    private ScalarScale scale;
    private String barLabel;

    private RasterPanel(String title, String xLabel, String yLabel, double[] xRange, double[] yRange) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.xRange = xRange;
        this.yRange = yRange;
    }

    /**
     * A panel whose raster's left and right edges are at x0 and x1, bottom and top at y0 and y1 (either
     * pair may decrease).
     */
    static RasterPanel of(String title, String xLabel, String yLabel, double x0, double x1, double y0, double y1) {
        return new RasterPanel(title, xLabel, yLabel, new double[] {x0, x1}, new double[] {y0, y1});
    }

    /** Adds a colour bar for {@code scale} labelled {@code label}. */
    RasterPanel colourBar(ScalarScale scale, String label) {
        this.scale = scale;
        this.barLabel = label;
        return this;
    }

    /** The image of a (H, W) raster of RGB colours given row by row. */
    BufferedImage draw(int[] rgb, int width, int height) {
        if (rgb.length != width * height) {
            throw new IllegalArgumentException("rgb: expected " + width + " x " + height + " = " + width * height
                    + " colours but got " + rgb.length);
        }
        BufferedImage data = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        data.setRGB(0, 0, width, height, rgb, 0, width);
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            int side = Math.min(WIDTH - LEFT - BAR_SPACE, HEIGHT - TOP - BOTTOM);  // the same with or without a bar
            int px = LEFT;
            int py = TOP;
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.drawImage(data, px, py, side, side, null);
            g.setColor(Color.DARK_GRAY);
            g.setStroke(new BasicStroke(1f));
            g.drawRect(px, py, side, side);
            drawTitle(g);
            drawAxes(g, px, py, side);
            if (scale != null) {
                drawColourBar(g, px + side + 18, py, side);
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private void drawTitle(Graphics2D g) {
        g.setFont(TITLE);
        g.setColor(Color.BLACK);
        FontMetrics fm = g.getFontMetrics();
        g.drawString(title, Math.max(4, (WIDTH - fm.stringWidth(title)) / 2), 24);
    }

    private void drawAxes(Graphics2D g, int px, int py, int side) {
        g.setFont(TICK);
        FontMetrics fm = g.getFontMetrics();
        g.setColor(Color.DARK_GRAY);
        for (double v : Ticks.linear(Math.min(xRange[0], xRange[1]), Math.max(xRange[0], xRange[1]), 5)) {
            int x = px + (int) Math.round((v - xRange[0]) / (xRange[1] - xRange[0]) * side);
            g.drawLine(x, py + side, x, py + side + 5);
            String s = Ticks.label(v);
            g.drawString(s, x - fm.stringWidth(s) / 2, py + side + 7 + fm.getAscent());
        }
        for (double v : Ticks.linear(Math.min(yRange[0], yRange[1]), Math.max(yRange[0], yRange[1]), 5)) {
            int y = py + side - (int) Math.round((v - yRange[0]) / (yRange[1] - yRange[0]) * side);
            g.drawLine(px - 5, y, px, y);
            String s = Ticks.label(v);
            g.drawString(s, px - 8 - fm.stringWidth(s), y + fm.getAscent() / 2 - 1);
        }
        g.setFont(LABEL);
        fm = g.getFontMetrics();
        g.setColor(Color.BLACK);
        g.drawString(xLabel, px + (side - fm.stringWidth(xLabel)) / 2, py + side + 40);
        drawVertical(g, yLabel, 16, py + (side + fm.stringWidth(yLabel)) / 2);
    }

    private void drawColourBar(Graphics2D g, int x, int y, int height) {
        int w = 16;
        for (int i = 0; i < height; i++) {
            g.setColor(new Color(Viridis.rgb(1 - (i + 0.5) / height)));
            g.fillRect(x, y + i, w, 1);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(x, y, w, height);
        g.setFont(TICK);
        FontMetrics fm = g.getFontMetrics();
        double[] ticks = scale.log() ? Ticks.log(scale.min(), scale.max(), 6)
                : Ticks.linear(scale.min(), scale.max(), 6);
        for (double v : ticks) {
            double p = scale.position(v);
            if (p < -1e-9 || p > 1 + 1e-9) {
                continue;
            }
            int ty = y + height - (int) Math.round(p * height);
            g.drawLine(x + w, ty, x + w + 4, ty);
            g.drawString(Ticks.label(v), x + w + 6, ty + fm.getAscent() / 2 - 1);
        }
        g.setFont(LABEL);
        fm = g.getFontMetrics();
        g.setColor(Color.BLACK);
        drawVertical(g, barLabel, WIDTH - 8, y + (height + fm.stringWidth(barLabel)) / 2);
    }

    /** Text rotated a quarter turn anticlockwise, its baseline at x, starting at y (bottom end). */
    private static void drawVertical(Graphics2D g, String text, int x, int y) {
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2, x, y);
        g.drawString(text, x, y);
        g.setTransform(saved);
    }
}
