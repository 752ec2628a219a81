package io.github.tangent4j.backend.internal;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.DeviceOutOfMemoryException;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Checks a backend against a reference backend (the pure-Java one), on the user's machine: every primitive in
 * F32 and F64, odd and larger shapes, all transpose combinations of the GEMMs, row views and reshapes,
 * every activation and its derivative, dense layers ({@link Backend#linear}, fused on CUDA), NaN and
 * &plusmn;Inf inputs through every primitive, recovery from an allocation the device cannot hold, then that
 * every allocation was returned. It is what
 * {@code tangent4j selftest} runs after a driver is installed, and what a GPU machine runs to check a
 * release. Results agree when every non-finite reference entry is matched exactly (NaN by NaN, an
 * infinity by the same infinity) and the finite ones are within 1e-12 (F64) or 1e-5 (F32) of the reference
 * relative to the largest finite reference entry (sign bits: exactly).
 *
 * <p>Also measures, after the checks, the GEMM throughput (n = 1024, or 256 with {@code quick}) and the
 * upload/download bandwidth, for the report; those are not checks.
 */
public final class SelfTest {
    /**
     * One check.
     *
     * @param name   what was checked, e.g. {@code gemm f64 NT 67x33x129}
     * @param passed whether it agreed with the reference
     * @param detail the largest relative difference, or the failure
     */
    public record Check(String name, boolean passed, String detail) {
    }

    /**
     * What a run found.
     *
     * @param checks             every check in order
     * @param gemmGflops         GFLOP/s of an F32 and an F64 square GEMM (not checks)
     * @param uploadGBs          host-to-backend bandwidth in GB/s
     * @param downloadGBs        backend-to-host bandwidth in GB/s
     */
    public record Report(List<Check> checks, double[] gemmGflops, double uploadGBs, double downloadGBs) {
        /** Whether every check passed. */
        public boolean passed() {
            return checks.stream().allMatch(Check::passed);
        }
    }

    private static final int[][] GEMM_SHAPES = {{1, 1, 1}, {7, 5, 3}, {67, 33, 129}, {130, 257, 65}};
    private static final int[][] GEMM_SHAPES_LARGE = {{513, 300, 257}};

    private final boolean quick;
    private final List<Check> checks = new ArrayList<>();
    private final SplittableRandom rng = new SplittableRandom(20261128);

    private SelfTest(boolean quick) {
        this.quick = quick;
    }

    /**
     * Runs every check of {@code candidate} against {@code reference} (the Java backend, normally).
     *
     * @param quick fewer and smaller shapes, and a smaller timing GEMM
     */
    public static Report run(Backend candidate, Backend reference, boolean quick) {
        Objects.requireNonNull(candidate, "candidate");
        Objects.requireNonNull(reference, "reference");
        SelfTest t = new SelfTest(quick);
        {
            long before = candidate.openAllocations();
            for (DType dtype : new DType[] {DType.F64, DType.F32}) {
                t.gemms(candidate, reference, dtype);
                t.elementwise(candidate, reference, dtype);
                t.layers(candidate, reference, dtype);
                t.nonFinite(candidate, reference, dtype);
            }
            t.outOfMemoryRecovery(candidate);
            long after = candidate.openAllocations();
            t.checks.add(new Check("allocations returned", after == before,
                    after == before ? "none left open" : (after - before) + " matrices left open"));
            double[] gflops = {t.gemmRate(candidate, DType.F32), t.gemmRate(candidate, DType.F64)};
            double[] bw = t.bandwidth(candidate);
            return new Report(List.copyOf(t.checks), gflops, bw[0], bw[1]);
        }
    }

    private Tensor random(DType dtype, long rows, long cols) {
        Tensor t = Tensor.allocate(dtype, rows, cols);
        for (long i = 0; i < t.size(); i++) {
            t.setFlat(i, rng.nextDouble(-1, 1));
        }
        return t;
    }

    /**
     * {@link Backend#hadamardGemm} behind ReLU slopes (half of them 0), 10 rows per example, a stacked per example and
     * one block shared by all.
     */
    private void hadamardGemm(Backend cand, Backend ref, DType dtype, String dt, long k) {
        long examples = quick ? 3 : 29;
        Tensor slopes = random(dtype, examples, k);
        for (long i = 0; i < slopes.size(); i++) {
            slopes.setFlat(i, slopes.getFlat(i) > 0 ? 1 : 0);
        }
        Tensor b = random(dtype, k, 33);
        for (long aRows : new long[] {examples * 10, 10}) {
            Tensor a = random(dtype, aRows, k);
            compare("hadamardGemm " + (aRows == 10 ? "shared " : "") + dt, dtype, cand, ref, be -> {
                try (DeviceMatrix da = be.upload(a); DeviceMatrix ds = be.upload(slopes);
                     DeviceMatrix db = be.upload(b); DeviceMatrix dc = be.allocate(dtype, examples * 10, 33)) {
                    be.hadamardGemm(0.5, da, ds, db, dc);
                    return be.download(dc);
                }
            });
        }
    }

    /** An update of m by a second operand, in place. */
    @FunctionalInterface
    private interface InPlace {
        void apply(Backend backend, DeviceMatrix m, DeviceMatrix operand);
    }

    /** {@link #compare} of {@code op} applied to uploads of {@code m} and {@code operand}, m downloaded. */
    private void compareInPlace(String name, DType dtype, Backend cand, Backend ref, Tensor m, Tensor operand,
            InPlace op) {
        compare(name, dtype, cand, ref, be -> {
            try (DeviceMatrix dm = be.upload(m); DeviceMatrix dv = be.upload(operand)) {
                op.apply(be, dm, dv);
                return be.download(dm);
            }
        });
    }

    /** Runs {@code op} on both backends with the same inputs and compares what it returns. */
    private void compare(String name, DType dtype, Backend cand, Backend ref, Function<Backend, Tensor> op) {
        Tensor expected;
        Tensor actual;
        try {
            expected = op.apply(ref);
        } catch (RuntimeException e) {
            checks.add(new Check(name, false, "the reference failed: " + e.getMessage()));
            return;
        }
        try {
            actual = op.apply(cand);
        } catch (RuntimeException e) {
            checks.add(new Check(name, false, e.getClass().getSimpleName() + ": " + e.getMessage()));
            return;
        }
        if (expected.size() != actual.size()) {
            checks.add(new Check(name, false, "expected " + expected.size() + " elements but got " + actual.size()));
            return;
        }
        double scale = 0;
        for (long i = 0; i < expected.size(); i++) {
            double e = expected.getFlat(i);
            if (Double.isFinite(e)) {
                scale = Math.max(scale, Math.abs(e));
            }
        }
        double worst = 0;
        for (long i = 0; i < expected.size(); i++) {
            double e = expected.getFlat(i);
            double a = actual.getFlat(i);
            if (!Double.isFinite(e) || !Double.isFinite(a)) {
                // NaN must meet NaN and an infinity the same infinity
                if (!(Double.isNaN(e) ? Double.isNaN(a) : e == a)) {
                    worst = Double.POSITIVE_INFINITY;
                    break;
                }
            } else {
                worst = Math.max(worst, Math.abs(e - a) / Math.max(scale, Double.MIN_NORMAL));
            }
        }
        double tol = expected.dtype() == DType.I64 ? 0 : dtype == DType.F64 ? 1e-12 : 1e-5;
        checks.add(new Check(name, worst <= tol, String.format(java.util.Locale.ROOT, "max rel diff %.2e", worst)));
    }

    private void gemms(Backend cand, Backend ref, DType dtype) {
        List<int[]> shapes = new ArrayList<>(List.of(GEMM_SHAPES));
        if (!quick) {
            shapes.addAll(List.of(GEMM_SHAPES_LARGE));
        }
        String dt = dtype.name().toLowerCase(java.util.Locale.ROOT);
        for (int[] s : shapes) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            for (int tr = 0; tr < 4; tr++) {
                boolean ta = (tr & 1) != 0;
                boolean tb = (tr & 2) != 0;
                Tensor a = ta ? random(dtype, k, m) : random(dtype, m, k);
                Tensor b = tb ? random(dtype, n, k) : random(dtype, k, n);
                Tensor c = random(dtype, m, n);
                compare("gemm " + dt + " " + (ta ? "T" : "N") + (tb ? "T" : "N") + " " + m + "x" + n + "x" + k, dtype,
                        cand, ref, be -> {
                            try (DeviceMatrix da = be.upload(a); DeviceMatrix db = be.upload(b);
                                 DeviceMatrix dc = be.upload(c)) {
                                be.gemm(ta, tb, 0.75, da, db, -0.5, dc);
                                return be.download(dc);
                            }
                        });
            }
        }
        int batch = 5;
        Tensor a = random(dtype, batch * 6L, 9);
        Tensor b = random(dtype, batch * 4L, 9);
        compare("gemmBatched " + dt + " 5 x (6x4x9) NT", dtype, cand, ref, be -> {
            try (DeviceMatrix da = be.upload(a); DeviceMatrix db = be.upload(b);
                 DeviceMatrix dc = be.allocate(dtype, batch * 6L, 4)) {
                be.gemmBatched(batch, false, true, 1, da, db, 0, dc);
                return be.download(dc);
            }
        });
        compare("gemm " + dt + " on row views", dtype, cand, ref, be -> {
            try (DeviceMatrix da = be.upload(a); DeviceMatrix db = be.upload(b);
                 DeviceMatrix dc = be.allocate(dtype, 6, 8)) {
                be.gemm(false, true, 1, da.rows(6, 12), db.rows(4, 12), 0, dc);
                return be.download(dc);
            }
        });
    }

    private void elementwise(Backend cand, Backend ref, DType dtype) {
        String dt = dtype.name().toLowerCase(java.util.Locale.ROOT);
        long rows = quick ? 17 : 301;
        long cols = quick ? 13 : 259;
        Tensor z = random(dtype, rows, cols);
        z.setFlat(0, 0);   // a kink
        Tensor v = random(dtype, 1, cols);
        Tensor r = random(dtype, rows, 1);
        Tensor small = random(dtype, rows / 1, cols);
        for (Activation phi : List.of(Activation.RELU, Activation.leakyRelu(0.1), Activation.ABS, Activation.TANH,
                Activation.ERF, Activation.IDENTITY)) {
            compare("activate " + phi + " " + dt, dtype, cand, ref, be -> {
                try (DeviceMatrix dz = be.upload(z); DeviceMatrix h = be.allocate(dtype, rows, cols)) {
                    be.activate(phi, dz, h);
                    return be.download(h);
                }
            });
            compare("derivative " + phi + " " + dt, dtype, cand, ref, be -> {
                try (DeviceMatrix dz = be.upload(z)) {
                    be.derivative(phi, dz, dz);
                    return be.download(dz);
                }
            });
        }
        compareInPlace("addRowVector " + dt, dtype, cand, ref, z, v, Backend::addRowVector);
        compareInPlace("scaleRows " + dt, dtype, cand, ref, z, r, Backend::scaleRows);
        compareInPlace("scaleColumns " + dt, dtype, cand, ref, z, v, Backend::scaleColumns);
        compareInPlace("hadamard " + dt, dtype, cand, ref, z, small, (be, m, s) -> be.hadamard(m, s, m));
        compareInPlace("hadamard broadcast " + dt, dtype, cand, ref, z, v, (be, m, s) -> be.hadamard(m, s, m));
        hadamardGemm(cand, ref, dtype, dt, cols);
        for (int axis = 0; axis < 2; axis++) {
            int ax = axis;
            compare("sum axis " + axis + " " + dt, dtype, cand, ref, be -> {
                try (DeviceMatrix m = be.upload(z); DeviceMatrix out = be.allocate(dtype, 1, ax == 0 ? cols : rows)) {
                    be.sum(m, ax, out);
                    return be.download(out);
                }
            });
        }
        // variances and covariances of a positive semidefinite kernel (z z^T / cols + 0.1), so cosines span [-1, 1]
        Tensor gram;
        try (DeviceMatrix zd = ref.upload(z); DeviceMatrix g = ref.allocateUninitialised(dtype, rows, rows)) {
            ref.fill(g, 0.1);
            ref.gemm(false, true, 1.0 / cols, zd, zd, 1, g);
            gram = ref.download(g);
        }
        double[] variances = new double[(int) rows];
        for (long i = 0; i < rows; i++) {
            variances[(int) i] = gram.get(i, i);
        }
        for (Activation phi : List.of(Activation.RELU, Activation.leakyRelu(0.1), Activation.ERF)) {
            compare("dualLayers " + phi + " " + dt, dtype, cand, ref, be -> {
                try (DeviceMatrix k = be.upload(gram); DeviceMatrix theta = be.upload(gram);
                     DeviceMatrix q1 = be.upload(Tensor.of(variances, rows, 1));
                     DeviceMatrix q2 = be.upload(Tensor.of(variances, 1, rows))) {
                    be.dualLayers(phi, 2, 0.1, q1, q2, k, theta);
                    Tensor both = Tensor.allocate(dtype, 2 * rows, rows);
                    be.download(k, both.slice(0, rows));
                    be.download(theta, both.slice(rows, 2 * rows));
                    return both;
                }
            });
        }
        if (dtype == DType.F64) {
            jacobianLayers(cand, ref, gram, variances);
        }
        compare("signBits " + dt, dtype, cand, ref, be -> {
            try (DeviceMatrix m = be.upload(z)) {
                return be.signBits(m);
            }
        });
        compare("copy, fill and reshape " + dt, dtype, cand, ref, be -> {
            try (DeviceMatrix m = be.upload(z); DeviceMatrix c = be.allocate(dtype, cols, rows)) {
                be.copy(m.reshape(cols, rows), c);
                be.fill(c.rows(0, 1), 0.25);
                return be.download(c);
            }
        });
    }

    /** Dense layers, fused where the candidate fuses them: every activation, with and without bias and signs. */
    private void layers(Backend cand, Backend ref, DType dtype) {
        String dt = dtype.name().toLowerCase(java.util.Locale.ROOT);
        int[][] shapes = quick ? new int[][] {{17, 70, 13}} : new int[][] {{67, 130, 33}, {5, 64, 7}, {301, 257, 65}};
        for (int[] s : shapes) {
            Tensor x = random(dtype, s[0], s[2]);
            Tensor w = random(dtype, s[1], s[2]);
            Tensor bias = random(dtype, 1, s[1]);
            String shape = s[0] + "x" + s[1] + "x" + s[2];
            for (Activation phi : List.of(Activation.RELU, Activation.leakyRelu(0.1), Activation.TANH,
                    Activation.IDENTITY)) {
                for (boolean withBias : new boolean[] {true, false}) {
                    String what = "linear " + phi + (withBias ? " with bias " : " ") + dt + " " + shape;
                    compare(what, dtype, cand, ref, be -> layer(be, x, w, withBias ? bias : null, phi, false));
                    compare(what + " signs", dtype, cand, ref, be -> layer(be, x, w, withBias ? bias : null, phi, true));
                }
            }
        }
    }

    /** One layer on a backend: its output, or with {@code signs} its packed pre-activation signs. */
    /**
     * {@link Backend#jacobianLayers} (always in double) over the pairs of a positive semidefinite kernel: each
     * point's coordinates (alpha, beta) from the Gram entries, two layers with the points' variances.
     */
    private void jacobianLayers(Backend cand, Backend ref, Tensor gram, double[] variances) {
        int n = variances.length;
        int layers = 2;
        double[] q1 = new double[n * (1 + 2 * layers)];
        double[] q2 = new double[2 * layers * n];
        double[] pairs = new double[n * 3 * n];
        for (int i = 0; i < n; i++) {
            double norm = Math.sqrt(variances[i]);
            q1[i * (1 + 2 * layers)] = norm;
            for (int l = 0; l < layers; l++) {
                q1[i * (1 + 2 * layers) + 1 + 2 * l] = variances[i];
                q1[i * (1 + 2 * layers) + 2 + 2 * l] = 0.3;
                q2[2 * l * n + i] = variances[i];
                q2[(2 * l + 1) * n + i] = 0.3;
            }
            for (int j = 0; j < n; j++) {
                double k = gram.get(i, j);
                double alpha = norm > 0 ? k / norm : 0;
                pairs[3 * (i * n + j)] = k;
                pairs[3 * (i * n + j) + 1] = alpha;
                pairs[3 * (i * n + j) + 2] = Math.sqrt(Math.max(variances[j] - alpha * alpha, 0));
            }
        }
        for (Activation phi : List.of(Activation.RELU, Activation.leakyRelu(0.1), Activation.ERF)) {
            for (boolean ntk : new boolean[] {false, true}) {
                compare("jacobianLayers " + phi + (ntk ? " ntk" : " nngp"), DType.F64, cand, ref, be -> {
                    try (DeviceMatrix a = be.upload(Tensor.of(q1, n, 1 + 2 * layers));
                            DeviceMatrix b = be.upload(Tensor.of(q2, 2 * layers, n));
                            DeviceMatrix p = be.upload(Tensor.of(pairs, n, 3L * n));
                            DeviceMatrix jets = be.allocate(DType.F64, n, (long) JacobianPair.COEFFICIENTS * n)) {
                        be.jacobianLayers(phi, 2, 0.1, 0.5, a, b, p, jets, ntk);
                        return be.download(jets);
                    }
                });
            }
        }
    }

    private static Tensor layer(Backend be, Tensor x, Tensor w, Tensor bias, Activation phi, boolean signs) {
        try (DeviceMatrix dx = be.upload(x); DeviceMatrix dw = be.upload(w);
             DeviceMatrix db = bias == null ? null : be.upload(bias);
             DeviceMatrix out = be.allocateUninitialised(x.dtype(), x.dim(0), w.dim(0))) {
            if (signs) {
                return be.linearWithSigns(0.75, dx, dw, db, phi, out);
            }
            be.linear(0.75, dx, dw, db, phi, out);
            return be.download(out);
        }
    }

    /** NaN, +Inf and -Inf inputs through every primitive: they must propagate as on the reference. */
    private void nonFinite(Backend cand, Backend ref, DType dtype) {
        String dt = "non-finite " + dtype.name().toLowerCase(java.util.Locale.ROOT);
        double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, 1, -1, 0.5};
        int rows = 6;
        int cols = 11;
        Tensor z = random(dtype, rows, cols);
        for (int i = 0; i < special.length * 3 && i < z.size(); i++) {
            z.setFlat(i * 7L % z.size(), special[i % special.length]);
        }
        Tensor v = random(dtype, 1, cols);
        v.setFlat(0, Double.NaN);
        v.setFlat(1, Double.POSITIVE_INFINITY);
        v.setFlat(2, Double.NEGATIVE_INFINITY);
        Tensor r = random(dtype, rows, 1);
        r.setFlat(1, Double.POSITIVE_INFINITY);
        r.setFlat(2, Double.NaN);
        Tensor w = random(dtype, 4, cols);
        Tensor bias = random(dtype, 1, 4);
        bias.setFlat(0, Double.NaN);
        bias.setFlat(1, Double.NEGATIVE_INFINITY);
        for (Activation phi : List.of(Activation.RELU, Activation.leakyRelu(0.1), Activation.ABS, Activation.TANH,
                Activation.ERF, Activation.IDENTITY)) {
            compare(dt + " activate " + phi, dtype, cand, ref, be -> {
                try (DeviceMatrix dz = be.upload(z)) {
                    be.activate(phi, dz, dz);
                    return be.download(dz);
                }
            });
            compare(dt + " derivative " + phi, dtype, cand, ref, be -> {
                try (DeviceMatrix dz = be.upload(z)) {
                    be.derivative(phi, dz, dz);
                    return be.download(dz);
                }
            });
            compare(dt + " linear " + phi, dtype, cand, ref, be -> layer(be, z, w, bias, phi, false));
            compare(dt + " linear " + phi + " signs", dtype, cand, ref, be -> layer(be, z, w, bias, phi, true));
        }
        compare(dt + " gemm", dtype, cand, ref, be -> {
            try (DeviceMatrix dz = be.upload(z); DeviceMatrix c = be.allocateUninitialised(dtype, rows, rows)) {
                be.gemm(false, true, 1, dz, dz, 0, c);
                return be.download(c);
            }
        });
        compareInPlace(dt + " addRowVector", dtype, cand, ref, z, v, Backend::addRowVector);
        compareInPlace(dt + " scaleRows", dtype, cand, ref, z, r, Backend::scaleRows);
        compareInPlace(dt + " scaleColumns", dtype, cand, ref, z, v, Backend::scaleColumns);
        compareInPlace(dt + " hadamard", dtype, cand, ref, z, v, (be, m, dv) -> be.hadamard(m, dv, m));
        for (int axis = 0; axis < 2; axis++) {
            int ax = axis;
            compare(dt + " sum axis " + axis, dtype, cand, ref, be -> {
                try (DeviceMatrix m = be.upload(z);
                     DeviceMatrix out = be.allocateUninitialised(dtype, 1, ax == 0 ? cols : rows)) {
                    be.sum(m, ax, out);
                    return be.download(out);
                }
            });
        }
        compare(dt + " signBits", dtype, cand, ref, be -> {
            try (DeviceMatrix m = be.upload(z)) {
                return be.signBits(m);
            }
        });
        compare(dt + " copy and fill", dtype, cand, ref, be -> {
            try (DeviceMatrix m = be.upload(z); DeviceMatrix c = be.allocateUninitialised(dtype, rows, cols)) {
                be.copy(m, c);
                be.fill(c.rows(0, 1), Double.NaN);
                be.fill(c.rows(1, 2), Double.NEGATIVE_INFINITY);
                return be.download(c);
            }
        });
    }

    /**
     * Asks for 1 PiB (more than any device or the 47-bit address space holds): the backend must refuse with
     * {@link DeviceOutOfMemoryException}, keep nothing, and go on working.
     */
    private void outOfMemoryRecovery(Backend cand) {
        String name = "out-of-memory recovery";
        long before = cand.openAllocations();
        try (DeviceMatrix huge = cand.allocateUninitialised(DType.F64, 1L << 23, 1L << 24)) {
            checks.add(new Check(name, false, "a 1 PiB allocation succeeded: " + huge));
            return;
        } catch (DeviceOutOfMemoryException expected) {
            // the answer wanted
        } catch (RuntimeException e) {
            checks.add(new Check(name, false, "a 1 PiB allocation threw " + e));
            return;
        }
        try (DeviceMatrix m = cand.allocate(DType.F64, 3, 5)) {
            cand.fill(m, 0.25);
            Tensor t = cand.download(m);
            boolean ok = cand.openAllocations() == before + 1;
            for (long i = 0; i < t.size(); i++) {
                ok &= t.getFlat(i) == 0.25;
            }
            checks.add(new Check(name, ok, ok ? "refused, then usable" : "wrong results or allocations after the refusal"));
        } catch (RuntimeException e) {
            checks.add(new Check(name, false, "after the refusal: " + e));
        }
    }

    /** GFLOP/s of one square GEMM (best of three), on data already on the backend. */
    private double gemmRate(Backend b, DType dtype) {
        int n = quick ? 256 : 1024;
        try (DeviceMatrix a = b.upload(random(dtype, n, n)); DeviceMatrix c = b.allocate(dtype, n, n)) {
            double best = Double.POSITIVE_INFINITY;
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                b.gemm(false, false, 1, a, a, 0, c);
                b.download(c.rows(0, 1));   // waits for an asynchronous device
                best = Math.min(best, System.nanoTime() - t0);
            }
            return 2.0 * n * n * n / best;
        }
    }

    /** Upload and download GB/s of a 64 MiB (quick: 4 MiB) array, best of three. */
    private double[] bandwidth(Backend b) {
        long elements = (quick ? 4L : 64L) << 17;
        Tensor host = Tensor.allocate(DType.F64, elements / 1024, 1024);
        double up = Double.POSITIVE_INFINITY;
        double down = Double.POSITIVE_INFINITY;
        try (DeviceMatrix d = b.allocate(DType.F64, elements / 1024, 1024)) {
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                b.upload(host, d);
                long t1 = System.nanoTime();
                b.download(d, host);
                long t2 = System.nanoTime();
                up = Math.min(up, t1 - t0);
                down = Math.min(down, t2 - t1);
            }
        }
        return new double[] {host.byteSize() / up, host.byteSize() / down};
    }
}
