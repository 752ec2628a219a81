package io.github.tangent4j.patterns;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.Progress;
import io.github.tangent4j.nn.DeviceMlp;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Finite;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import java.util.Objects;

/**
 * The linear regions of a piecewise-linear network on a 2-D slice of its input space: a W x H raster
 * whose pixel (i, j) is the point {@code o + s_j u + t_i v} with {@code s_j = -1 + (2j + 1) / W} and
 * {@code t_i = 1 - (2i + 1) / H} (row 0 at the top), labelled with a region id; two pixels have the
 * same id iff their activation patterns are equal. Ids are numbered in raster order of first
 * appearance.
 *
 * <p>The first layer's pre-activations are affine in (s, t), {@code z_1 = c_0 + s c_u + t c_v} with
 * {@code c_0 = W_1 o + b_1}, {@code c_u = W_1 u}, {@code c_v = W_1 v}, so they come from a GEMM of the
 * pixels' (1, s, t) rows with the 3 x n_1 matrix of those vectors (no D-wide input per pixel); the
 * deeper layers are the forward GEMMs, and the patterns are packed as in {@link ActivationPatterns}.
 */
public final class SliceRegions {
    /** The largest accepted width or height. */
    public static final int MAX_SIDE = 1 << 15;
    /** The largest accepted W x H. */
    public static final long MAX_PIXELS = 1L << 26;
    /** Directions at an angle below about 1e-6 rad (squared sine below this) count as parallel. */
    static final double PARALLEL_SIN2 = 1e-12;

    private final Tensor ids;
    private final DistinctPatterns distinct;

    private SliceRegions(Tensor ids, DistinctPatterns distinct) {
        this.ids = ids;
        this.distinct = distinct;
    }

    /** The slice coordinate s of column {@code j} of {@code width}: {@code -1 + (2j + 1) / W}. */
    public static double s(int j, int width) {
        return -1 + (2.0 * j + 1) / width;
    }

    /** The slice coordinate t of row {@code i} of {@code height}: {@code 1 - (2i + 1) / H}. */
    public static double t(int i, int height) {
        return 1 - (2.0 * i + 1) / height;
    }

    /** {@link #compute(DeviceMlp, Tensor, Tensor, Tensor, int, int, Progress)} on a network uploaded for the call. */
    public static SliceRegions compute(Backend backend, Mlp mlp, Tensor origin, Tensor u, Tensor v, int width,
            int height) {
        PiecewiseLinear.require(mlp);
        checkSize(width, height);
        try (DeviceMlp d = DeviceMlp.upload(backend, mlp)) {
            return compute(d, origin, u, v, width, height, null);
        }
    }

    /**
     * The region raster of the slice through {@code origin} spanned by {@code u} and {@code v} (each
     * D values, of shape (D,) or (1, D), converted to the network's dtype).
     *
     * @throws IllegalArgumentException if the activation is not piecewise linear; a vector has the wrong
     *                                  length or a non-finite value; u or v is zero or they are parallel;
     *                                  width or height is not in [1, {@value #MAX_SIDE}] or their product
     *                                  exceeds {@value #MAX_PIXELS} (checked before anything is allocated)
     */
    public static SliceRegions compute(DeviceMlp network, Tensor origin, Tensor u, Tensor v, int width, int height,
            Progress listener) {
        Objects.requireNonNull(network, "network");
        Mlp mlp = network.mlp();
        PiecewiseLinear.require(mlp);
        checkSize(width, height);
        double[] o = vector("origin", origin, mlp.inputDim());
        double[] du = vector("u", u, mlp.inputDim());
        double[] dv = vector("v", v, mlp.inputDim());
        checkDirections(du, dv);
        Backend backend = network.backend();
        DType dtype = mlp.dtype();
        long n = (long) width * height;
        ActivationPatterns patterns;
        Layer first = mlp.layers().get(0);
        try (DeviceMatrix coefficients = backend.allocateUninitialised(dtype, 3, first.out())) {
            try (DeviceMatrix od = backend.upload(matrix(dtype, o));
                    DeviceMatrix uv = backend.upload(matrix(dtype, du, dv));
                    DeviceMatrix c0 = network.preactivation(0, od)) {
                backend.copy(c0, coefficients.rows(0, 1));
                backend.gemm(false, true, mlp.parameterization().weightScale(first.in()), uv, network.weight(0), 0,
                        coefficients.rows(1, 3));
            }
            patterns = ActivationPatterns.run(network, n, 3, listener, ActivationPatterns.DEFAULT_MAX_TILE_ROWS,
                    (scope, from, to, z) -> backend.gemm(false, false, 1,
                            scope.track(backend.upload(pixelCoordinates(dtype, from, to, width, height))), coefficients,
                            0, z));
        }
        DistinctPatterns distinct = DistinctPatterns.of(patterns.packed());
        Tensor ids = Tensor.allocate(DType.I32, height, width);
        for (long p = 0; p < n; p++) {
            ids.setFlat(p, distinct.id(p));
        }
        return new SliceRegions(ids, distinct);
    }

    private static Tensor matrix(DType dtype, double[]... rows) {
        Tensor t = Tensor.allocate(dtype, rows.length, rows[0].length);
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < rows[i].length; j++) {
                t.set(rows[i][j], i, j);
            }
        }
        return t;
    }

    /** Rows {@code [from, to)} of the pixels' (1, s, t) coordinates, pixels in raster order. */
    private static Tensor pixelCoordinates(DType dtype, long from, long to, int width, int height) {
        Tensor t = Tensor.allocate(dtype, to - from, 3);
        for (long p = from; p < to; p++) {
            long r = (p - from) * 3;
            t.setFlat(r, 1);
            t.setFlat(r + 1, s((int) (p % width), width));
            t.setFlat(r + 2, t((int) (p / width), height));
        }
        return t;
    }

    /** Checks W and H before anything is allocated. */
    static void checkSize(int width, int height) {
        if (width < 1 || width > MAX_SIDE) {
            throw new IllegalArgumentException("width: expected 1 to " + MAX_SIDE + " pixels but was " + width);
        }
        if (height < 1 || height > MAX_SIDE) {
            throw new IllegalArgumentException("height: expected 1 to " + MAX_SIDE + " pixels but was " + height);
        }
        if ((long) width * height > MAX_PIXELS) {
            throw new IllegalArgumentException("size: expected at most " + MAX_PIXELS + " pixels but " + width + "x"
                    + height + " is " + (long) width * height);
        }
    }

    /** The D values of a (D,) or (1, D) float tensor, checked finite; errors name {@code name}. */
    static double[] vector(String name, Tensor t, long d) {
        Objects.requireNonNull(t, name);
        if (t.size() != d || t.rank() > 2 || t.rank() == 2 && t.dim(0) != 1) {
            throw new IllegalArgumentException(name + ": expected shape (" + d + ",) or (1, " + d
                    + ") for the network's input width but was " + Shapes.format(t.shape()));
        }
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException(name + ": expected a float array but was " + t.dtype());
        }
        Finite.check(name, t);
        return t.toDoubleArray();
    }

    /** Checks that u and v are nonzero and not parallel. */
    static void checkDirections(double[] u, double[] v) {
        double uu = 0;
        double vv = 0;
        double uv = 0;
        for (int j = 0; j < u.length; j++) {
            uu += u[j] * u[j];
            vv += v[j] * v[j];
            uv += u[j] * v[j];
        }
        if (uu == 0) {
            throw new IllegalArgumentException("u: expected a nonzero direction but it is zero");
        }
        if (vv == 0) {
            throw new IllegalArgumentException("v: expected a nonzero direction but it is zero");
        }
        double sin2 = 1 - uv / uu * (uv / vv);
        if (sin2 <= PARALLEL_SIN2) {
            throw new IllegalArgumentException("v: expected a direction not parallel to u but the squared sine of "
                    + "their angle is " + sin2);
        }
    }

    /** The region ids, an {@link DType#I32} tensor of shape (H, W). */
    public Tensor ids() {
        return ids;
    }

    /** The raster width W. */
    public int width() {
        return (int) ids.dim(1);
    }

    /** The raster height H. */
    public int height() {
        return (int) ids.dim(0);
    }

    /** The number of distinct regions in the raster. */
    public int regions() {
        return distinct.count();
    }

    /** The activation pattern of each region, indexed by id. */
    public PackedPatterns regionPatterns() {
        return distinct.patterns();
    }

    /** The number of pixels of each region, indexed by id. */
    public long[] pixelCounts() {
        return distinct.counts();
    }
}
