/**
 * The figures of {@code tangent4j demo}: one small class per figure (compute with the library, draw,
 * caption), the drawing helpers they share (a perceptual colour map, raster panels with axes and colour
 * bars, XChart styling) and the {@link io.github.tangent4j.cli.demo.Report} that writes
 * {@code index.html}. Every number a figure shows or states comes from the library at run time.
 */
package io.github.tangent4j.cli.demo;
