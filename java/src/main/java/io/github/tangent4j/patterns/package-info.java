/**
 * Family 2: activation patterns and linear regions of piecewise-linear networks (relu, leaky_relu,
 * abs). {@link io.github.tangent4j.patterns.ActivationPatterns} packs the sign of every hidden
 * pre-activation from the forward GEMMs; {@link io.github.tangent4j.patterns.DistinctPatterns},
 * {@link io.github.tangent4j.patterns.UnitFrequency} and
 * {@link io.github.tangent4j.patterns.HammingDistances} summarise pattern sets;
 * {@link io.github.tangent4j.patterns.RegionsAlongSegments} finds the exact pieces along segments;
 * {@link io.github.tangent4j.patterns.SliceRegions} and {@link io.github.tangent4j.patterns.SliceImage}
 * map the regions of a 2-D slice as a raster, {@link io.github.tangent4j.patterns.SlicePolygons} as exact
 * polygons; {@link io.github.tangent4j.patterns.Arrangements} samples the
 * hyperplane-arrangement patterns of convex ReLU training. Written once against
 * {@link io.github.tangent4j.backend.Backend}.
 */
package io.github.tangent4j.patterns;
