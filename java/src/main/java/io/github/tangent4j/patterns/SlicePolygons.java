package io.github.tangent4j.patterns;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.TileEngine;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.DeviceMlp;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The exact linear regions of a piecewise-linear network in the square {@code (s, t) in [-1, 1]^2} of the
 * plane {@code o + s u + t v}: convex polygons, one per activation pattern met, refined layer by layer
 * (the 2-D analogue of {@link RegionsAlongSegments}; the approach of SplineCam, Humayun et al. 2023).
 *
 * <p>On a polygon where the patterns of layers {@code 1..l-1} are fixed, layer l's pre-activations are
 * affine in (s, t), so they are known from their values at the polygon's vertices. Each unit whose
 * vertex values have strictly opposite signs cuts the polygon along its zero line (the new vertices on
 * the cut get the exact value 0 for that unit); after all units of the layer, each piece's layer-l
 * pattern is the sign of its vertices' mean value, and the next layer's vertex values come from one
 * GEMM over all vertices of all pieces ({@code z_{l+1} = W_{l+1} (phi'_piece . z_l) + b}). Since the
 * set of inputs with a given pattern is convex, each pattern gives exactly one polygon.
 *
 * <p>The number of polygons and their vertices grow with the number of regions in the square; this
 * is meant for small and moderate networks (hundreds of units), where it is exact up to rounding.
 */
public final class SlicePolygons {
    private final List<double[]> s;
    private final List<double[]> t;
    private final PackedPatterns patterns;

    private SlicePolygons(List<double[]> s, List<double[]> t, PackedPatterns patterns) {
        this.s = s;
        this.t = t;
        this.patterns = patterns;
    }

    /** {@link #compute(DeviceMlp, Tensor, Tensor, Tensor)} on a network uploaded for the call. */
    public static SlicePolygons compute(Backend backend, Mlp mlp, Tensor origin, Tensor u, Tensor v) {
        PiecewiseLinear.require(mlp);
        try (DeviceMlp d = DeviceMlp.upload(backend, mlp)) {
            return compute(d, origin, u, v);
        }
    }

    /**
     * The regions of the square {@code [-1, 1]^2} of the plane through {@code origin} spanned by
     * {@code u} and {@code v} (each D values, shape (D,) or (1, D)).
     *
     * @throws IllegalArgumentException as {@link SliceRegions#compute(DeviceMlp, Tensor, Tensor, Tensor, int, int,
     *                                  Progress)} for the activation and the vectors
     */
    public static SlicePolygons compute(DeviceMlp network, Tensor origin, Tensor u, Tensor v) {
        Objects.requireNonNull(network, "network");
        Mlp mlp = network.mlp();
        PiecewiseLinear.require(mlp);
        long d = mlp.inputDim();
        double[] o = SliceRegions.vector("origin", origin, d);
        double[] du = SliceRegions.vector("u", u, d);
        double[] dv = SliceRegions.vector("v", v, d);
        SliceRegions.checkDirections(du, dv);
        long hidden = mlp.hiddenUnits();
        int words = PackedPatterns.wordsFor(hidden);
        // the square, counter-clockwise
        Polygon square = new Polygon(new double[] {-1, 1, 1, -1}, new double[] {-1, -1, 1, 1}, new long[words]);
        List<Polygon> polygons = List.of(square);
        Tensor corners = Tensor.allocate(mlp.dtype(), 4, d);
        for (int k = 0; k < 4; k++) {
            for (int j = 0; j < d; j++) {
                corners.set(o[j] + square.s[k] * du[j] + square.t[k] * dv[j], k, j);
            }
        }
        double[] z = preactivation(network, 0, corners);
        long offset = 0;
        for (int l = 0; l < mlp.depth(); l++) {
            int n = (int) mlp.layers().get(l).out();
            int at = 0;
            for (Polygon p : polygons) {
                p.z = new double[p.size() * n];
                System.arraycopy(z, at, p.z, 0, p.z.length);
                at += p.z.length;
            }
            List<Polygon> next = new ArrayList<>();
            for (Polygon p : polygons) {
                split(p, n, offset, next);
            }
            polygons = next;
            if (l + 1 < mlp.depth()) {
                z = preactivation(network, l + 1, hiddenAtVertices(mlp, polygons, n, offset));
            }
            offset += n;
        }
        List<double[]> ss = new ArrayList<>();
        List<double[]> ts = new ArrayList<>();
        PackedPatterns bits = PackedPatterns.zeros(polygons.size(), hidden);
        for (int k = 0; k < polygons.size(); k++) {
            ss.add(polygons.get(k).s);
            ts.add(polygons.get(k).t);
            for (int w = 0; w < words; w++) {
                bits.setWord(k, w, polygons.get(k).bits[w]);
            }
        }
        return new SlicePolygons(ss, ts, bits);
    }

    /** A convex polygon (counter-clockwise), its pattern so far and the current layer's values at its vertices. */
    private static final class Polygon {
        final double[] s;
        final double[] t;
        final long[] bits;
        double[] z;

        Polygon(double[] s, double[] t, long[] bits) {
            this.s = s;
            this.t = t;
            this.bits = bits;
        }

        int size() {
            return s.length;
        }
    }

    /** Cuts {@code p} by the zero lines of the layer's n units, sets the layer's bits, adds the pieces to {@code out}. */
    private static void split(Polygon p, int n, long offset, List<Polygon> out) {
        List<Polygon> pieces = new ArrayList<>(List.of(p));
        for (int j = 0; j < n; j++) {
            List<Polygon> cut = new ArrayList<>(pieces.size() + 1);
            for (Polygon q : pieces) {
                cut(q, j, n, cut);
            }
            pieces = cut;
        }
        for (Polygon q : pieces) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int k = 0; k < q.size(); k++) {
                    sum += q.z[k * n + j];
                }
                if (sum > 0) {
                    long bit = offset + j;
                    q.bits[(int) (bit >>> 6)] |= 1L << (bit & 63);
                }
            }
            out.add(q);
        }
    }

    /** Adds q itself, or its two parts where unit j is >= 0 and <= 0 if its values change sign, to {@code out}. */
    private static void cut(Polygon q, int j, int n, List<Polygon> out) {
        int m = q.size();
        boolean pos = false;
        boolean neg = false;
        for (int k = 0; k < m; k++) {
            pos |= q.z[k * n + j] > 0;
            neg |= q.z[k * n + j] < 0;
        }
        if (!(pos && neg)) {
            out.add(q);
            return;
        }
        VertexList plus = new VertexList(n, m + 2);
        VertexList minus = new VertexList(n, m + 2);
        for (int k = 0; k < m; k++) {
            int k1 = (k + 1) % m;
            double a = q.z[k * n + j];
            double b = q.z[k1 * n + j];
            if (a >= 0) {
                plus.add(q, k);
            }
            if (a <= 0) {
                minus.add(q, k);
            }
            if (a > 0 && b < 0 || a < 0 && b > 0) {
                double lambda = a / (a - b);
                plus.addBetween(q, k, k1, lambda, j);
                minus.addBetween(q, k, k1, lambda, j);
            }
        }
        out.add(plus.polygon(q.bits));
        out.add(minus.polygon(q.bits));
    }

    /** A growing list of vertices with their values. */
    private static final class VertexList {
        private final int n;
        private double[] s;
        private double[] t;
        private double[] z;
        private int size;

        VertexList(int n, int capacity) {
            this.n = n;
            s = new double[capacity];
            t = new double[capacity];
            z = new double[capacity * n];
        }

        void add(Polygon q, int k) {
            s[size] = q.s[k];
            t[size] = q.t[k];
            System.arraycopy(q.z, k * n, z, size * n, n);
            size++;
        }

        /** The point a fraction lambda from vertex a to vertex b, where unit j is exactly 0. */
        void addBetween(Polygon q, int a, int b, double lambda, int j) {
            s[size] = (1 - lambda) * q.s[a] + lambda * q.s[b];
            t[size] = (1 - lambda) * q.t[a] + lambda * q.t[b];
            for (int i = 0; i < n; i++) {
                z[size * n + i] = (1 - lambda) * q.z[a * n + i] + lambda * q.z[b * n + i];
            }
            z[size * n + j] = 0;
            size++;
        }

        Polygon polygon(long[] bits) {
            Polygon p = new Polygon(java.util.Arrays.copyOf(s, size), java.util.Arrays.copyOf(t, size), bits.clone());
            p.z = java.util.Arrays.copyOf(z, size * n);
            return p;
        }
    }

    /**
     * h = phi'_piece . z at every vertex of every polygon (layer bits from {@code offset}), as a
     * (vertices, n) matrix in the network's dtype.
     */
    private static Tensor hiddenAtVertices(Mlp mlp, List<Polygon> polygons, int n, long offset) {
        Activation phi = mlp.activation();
        long rows = 0;
        for (Polygon p : polygons) {
            rows += p.size();
        }
        Tensor h = Tensor.allocate(mlp.dtype(), rows, n);
        double[] slope = new double[n];
        long row = 0;
        for (Polygon p : polygons) {
            for (int j = 0; j < n; j++) {
                long bit = offset + j;
                slope[j] = PiecewiseLinear.slope(phi, (p.bits[(int) (bit >>> 6)] >>> (bit & 63) & 1) != 0);
            }
            for (int k = 0; k < p.size(); k++, row++) {
                for (int j = 0; j < n; j++) {
                    h.setFlat(row * n + j, slope[j] * p.z[k * n + j]);
                }
            }
        }
        return h;
    }

    private static double[] preactivation(DeviceMlp network, int l, Tensor h) {
        Backend backend = network.backend();
        Mlp mlp = network.mlp();
        long out = mlp.layers().get(l).out();
        Tensor z = Tensor.allocate(mlp.dtype(), h.dim(0), out);
        TileEngine.of(backend, mlp.dtype().byteSize() * (h.dim(1) + out)).run(h.dim(0), (scope, from, to) -> {
            DeviceMatrix x = scope.track(backend.upload(h.slice(from, to)));
            backend.download(scope.track(network.preactivation(l, x)), z.slice(from, to));
        });
        return z.toDoubleArray();
    }

    /** Number of polygons (= distinct patterns in the square). */
    public int count() {
        return s.size();
    }

    /** The s coordinates of polygon k's vertices, counter-clockwise (a copy). */
    public double[] s(int k) {
        return s.get(k).clone();
    }

    /** The t coordinates of polygon k's vertices, counter-clockwise (a copy). */
    public double[] t(int k) {
        return t.get(k).clone();
    }

    /** The area of polygon k in (s, t) units (the square has area 4). */
    public double area(int k) {
        double[] x = s.get(k);
        double[] y = t.get(k);
        double a = 0;
        for (int i = 0; i < x.length; i++) {
            int i1 = (i + 1) % x.length;
            a += x[i] * y[i1] - x[i1] * y[i];
        }
        return a / 2;
    }

    /** The activation pattern of each polygon, one row per polygon. */
    public PackedPatterns patterns() {
        return patterns;
    }
}
