package io.github.tangent4j.cli.demo;

import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** XChart line charts in the demo's one style, and what the figures add to them (bands, point sets). */
final class Charts {
    /** Series colours: dark, distinct, readable on white (the Okabe-Ito palette, Okabe and Ito 2008). */
    static final Color[] COLOURS = {
        new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73), new Color(0xCC79A7),
        new Color(0xE69F00), new Color(0x56B4E9), new Color(0x000000),
    };

    private Charts() {
    }

    /** A chart of the panel size with the demo's style; the legend inside the top-right corner. */
    static XYChart chart(String title, String xLabel, String yLabel) {
        XYChart chart = new XYChartBuilder().width(RasterPanel.WIDTH).height(RasterPanel.HEIGHT)
                .title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        XYStyler s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotGridLinesColor(new Color(0xE4E4E4));
        s.setChartTitleBoxVisible(false);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        s.setLegendBorderColor(new Color(0xBBBBBB));
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        s.setSeriesColors(COLOURS);
        s.setAntiAlias(true);
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setMarkerSize(6);
        s.setXAxisTickMarkSpacingHint(140);
        return chart;
    }

    /** Puts the legend below the plot, entries side by side (for charts whose data fill the plot). */
    static void legendBelow(XYChart chart) {
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    }

    /**
     * Makes the y axis logarithmic and spans it over whole decades around [lo, hi] (lo > 0), so that
     * XChart, which labels decades only, labels at least two.
     */
    static void logYDecades(XYChart chart, double lo, double hi) {
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(lo))));
        chart.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(hi))));
    }

    /** A dashed 1.5-pixel line style for reference curves. */
    static java.awt.BasicStroke dashed() {
        return new java.awt.BasicStroke(1.5f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER, 10f,
                new float[] {6f, 4f}, 0f);
    }

    /** A line without markers. */
    static XYSeries line(XYChart chart, String name, double[] x, double[] y, Color colour) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(colour);
        return s;
    }

    /** Points without a line. */
    static XYSeries points(XYChart chart, String name, double[] x, double[] y, Color colour) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setMarkerColor(colour);
        return s;
    }

    /** A line with markers and symmetric error bars ({@code err} null: none). */
    static XYSeries errorBars(XYChart chart, String name, double[] x, double[] y, double[] err, Color colour) {
        XYSeries s = chart.addSeries(name, x, y, err);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineColor(colour);
        s.setMarkerColor(colour);
        return s;
    }

    /** The filled band between {@code lo} and {@code hi} over x (a polygon), in a light tint of {@code colour}. */
    static XYSeries band(XYChart chart, String name, double[] x, double[] lo, double[] hi, Color colour) {
        int n = x.length;
        double[] px = new double[2 * n];
        double[] py = new double[2 * n];
        for (int i = 0; i < n; i++) {
            px[i] = x[i];
            py[i] = hi[i];
            px[2 * n - 1 - i] = x[i];
            py[2 * n - 1 - i] = lo[i];
        }
        XYSeries s = chart.addSeries(name, px, py);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
        s.setMarker(SeriesMarkers.NONE);
        Color tint = new Color(colour.getRed(), colour.getGreen(), colour.getBlue(), 60);
        s.setFillColor(tint);
        s.setLineColor(tint);
        return s;
    }

    /** The chart drawn into an image. */
    static BufferedImage image(XYChart chart) {
        return BitmapEncoder.getBufferedImage(chart);
    }

    /** x from {@code lo} to {@code hi} in {@code n} equal steps (both ends included). */
    static double[] grid(double lo, double hi, int n) {
        double[] x = new double[n];
        Arrays.setAll(x, i -> n == 1 ? lo : lo + (hi - lo) * i / (n - 1));
        return x;
    }
}
