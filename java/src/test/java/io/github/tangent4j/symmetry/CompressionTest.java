package io.github.tangent4j.symmetry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.nn.ScalarMlp;
import io.github.tangent4j.patterns.RegionsAlongSegments;
import io.github.tangent4j.patterns.SegmentRegions;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compression recovers the widths of a network into which redundant units were planted (duplicates, units
 * without incoming or outgoing weights, dead relu units), with the same outputs and the same breakpoints
 * along segments as the network before planting.
 */
class CompressionTest {
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void recoversThePlantedWidths(String backendName) {
        TestBackends.with(backendName, backend -> {
            for (Activation phi : new Activation[] {Activation.RELU, Activation.leakyRelu(0.1), Activation.ABS}) {
                Mlp base = Nets.random(41, phi, 3, 6, 5, 2);
                Compression.Result self = Compression.of(base).compute(backend);
                assertArrayEquals(base.widths(), self.widthsAfter(), "the base network is already minimal");

                Planted p = new Planted(base);
                SplittableRandom rng = new SplittableRandom(42);
                p.duplicate(0, 2, 2.5, 0.4);
                p.duplicate(0, 4, 0.125, 0.7);
                p.addUnit(0, p.randomRow(0, rng), 0.3, new double[5]);                 // no outgoing weights
                p.addConstantUnit(0, 0.8, p.randomColumn(0, rng), phi);              // no incoming weights, bias > 0
                p.duplicate(1, 1, 3.0, 0.5);
                p.addConstantUnit(1, -0.5, p.randomColumn(1, rng), phi);             // constant phi(-0.5)
                p.addUnit(1, p.randomRow(1, rng), 0.2, new double[2]);                 // no outgoing weights
                int expectedDead = 0;
                if (phi.kind() == Activation.Kind.RELU) {
                    double[] negative = p.randomRow(1, rng);
                    for (int k = 0; k < negative.length; k++) {
                        negative[k] = -Math.abs(negative[k]);
                    }
                    p.addUnit(1, negative, -0.1, p.randomColumn(1, rng));             // off for every input
                    expectedDead = 1;
                }
                Mlp planted = Rescaling.permute(p.toMlp(phi), Nets.randomOrder(p.toMlp(phi), rng));
                Tensor x = Nets.inputs(6, 60, 3);
                Nets.assertSameOutputs(backend, base, planted, x, 1e-12);

                Compression.Result r = Compression.of(planted).compute(backend);
                assertArrayEquals(planted.widths(), r.widthsBefore());
                assertArrayEquals(base.widths(), r.widthsAfter(), phi + ": widths after compression");
                assertArrayEquals(base.widths(), r.network().widths());
                assertEquals(3, r.merged(), phi.toString());
                assertEquals(2, r.zeroOutgoing(), phi.toString());
                assertEquals(2, r.zeroIncoming(), phi.toString());
                assertEquals(expectedDead, r.dead(), phi.toString());
                assertFalse(r.exactOnDataOnly());
                assertTrue(r.antiparallel().isEmpty());
                Nets.assertSameOutputs(backend, base, r.network(), x, 1e-12);
                assertSameBreakpoints(backend, base, r.network(), rng);

                // F32: the same widths within float rounding (default tolerance 1e-6)
                Compression.Result r32 = Compression.of(planted.to(DType.F32)).compute(backend);
                assertArrayEquals(base.widths(), r32.widthsAfter(), phi + " F32");
                Nets.assertSameOutputs(backend, base.to(DType.F32), r32.network(), x.to(DType.F32), 1e-5);
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void leavesAntiparallelReluPairsAndMergesAbsOnes(String backendName) {
        TestBackends.with(backendName, backend -> {
            for (Activation phi : new Activation[] {Activation.RELU, Activation.ABS}) {
                Planted p = new Planted(Nets.random(43, phi, 2, 3, 2));
                double[] row = p.row(0, 1);
                for (int k = 0; k < row.length; k++) {
                    row[k] *= -2;
                }
                p.addUnit(0, row, -2 * p.b.get(0)[1], p.randomColumn(0, new SplittableRandom(1)));
                Mlp planted = p.toMlp(phi);
                Compression.Result r = Compression.of(planted).compute(backend);
                Nets.assertSameOutputs(backend, planted, r.network(), Nets.inputs(7, 40, 2), 1e-12);
                if (phi.kind() == Activation.Kind.RELU) {
                    assertArrayEquals(new long[] {2, 4, 2}, r.widthsAfter());
                    assertEquals(List.of(new Compression.Pair(new Unit(0, 1), new Unit(0, 3))), r.antiparallel());
                } else {
                    assertArrayEquals(new long[] {2, 3, 2}, r.widthsAfter());
                    assertEquals(1, r.merged());
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void collapsesIdentityNetworksAndConvertsNtkParameters(String backendName) {
        TestBackends.with(backendName, backend -> {
            Mlp linear = Mlp.random(44, Activation.IDENTITY, Parameterization.ntk(1.1, 0.6), DType.F64, 3, 5, 4, 2);
            Compression.Result r = Compression.of(linear).compute(backend);
            assertArrayEquals(new long[] {3, 2}, r.widthsAfter());
            assertEquals(Parameterization.STANDARD, r.network().parameterization());
            Nets.assertSameOutputs(backend, linear, r.network(), Nets.inputs(8, 30, 3), 1e-12);

            Mlp ntk = Mlp.random(45, Activation.RELU, Parameterization.ntk(1.3, 0.2), DType.F64, 2, 4, 2);
            Compression.Result s = Compression.of(ntk).compute(backend);
            assertArrayEquals(ntk.widths(), s.widthsAfter());
            Nets.assertSameOutputs(backend, ntk, s.network(), Nets.inputs(9, 30, 2), 1e-12);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void onDataRemovesUnitsNeverActiveThere(String backendName) {
        TestBackends.with(backendName, backend -> {
            Mlp mlp = Nets.random(46, Activation.RELU, 2, 12, 8, 1);
            // inputs in a small ball: many units keep one sign there
            Tensor x = Nets.inputs(10, 40, 2);
            for (long i = 0; i < x.size(); i++) {
                x.setFlat(i, 0.5 + 0.05 * x.getFlat(i));
            }
            int inactive = 0;
            long hidden = mlp.hiddenUnits();
            boolean[] everActive = new boolean[(int) hidden];
            for (long i = 0; i < x.dim(0); i++) {
                double[] z = preactivations(mlp, ScalarMlp.row(x, i));
                for (int u = 0; u < hidden; u++) {
                    everActive[u] |= z[u] > 0;
                }
            }
            for (boolean a : everActive) {
                inactive += a ? 0 : 1;
            }
            assertTrue(inactive > 0, "the test needs units inactive on the data");
            Compression.Result r = Compression.of(mlp).withData(x).compute(backend);
            assertEquals(inactive, r.neverActiveOnData());
            assertTrue(r.exactOnDataOnly());
            assertTrue(r.network().hiddenUnits() <= hidden - inactive);
            Nets.assertSameOutputs(backend, mlp, r.network(), x, 1e-12);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void aConstantNetworkKeepsOneZeroUnitPerLayer(String backendName) {
        TestBackends.with(backendName, backend -> {
            Mlp mlp = Nets.random(47, Activation.RELU, 2, 3, 2, 1);
            Layer last = mlp.layers().get(2);
            Mlp constant = new Mlp(List.of(mlp.layers().get(0), mlp.layers().get(1),
                    new Layer(Tensor.allocate(DType.F64, 1, 2), last.bias())), mlp.activation(), mlp.parameterization());
            Compression.Result r = Compression.of(constant).compute(backend);
            assertArrayEquals(new long[] {2, 1, 1, 1}, r.widthsAfter());
            Nets.assertSameOutputs(backend, constant, r.network(), Nets.inputs(11, 20, 2), 1e-15);
            assertEquals(0, PathNorm.of(r.network()).compute(backend).total() - Math.abs(last.bias().get(0)), 1e-15);
        });
    }

    @Test
    void refusesTanhAndDataForNonRelu() {
        assertThrows(IllegalArgumentException.class, () -> Compression.of(Nets.random(1, Activation.TANH, 2, 3, 1)));
        assertThrows(IllegalArgumentException.class,
                () -> Compression.of(Nets.random(1, Activation.ABS, 2, 3, 1)).withData(Nets.inputs(1, 3, 2)));
    }

    /** The hidden pre-activations of every layer, in order, by scalar arithmetic. */
    private static double[] preactivations(Mlp mlp, double[] x) {
        List<Double> z = new ArrayList<>();
        double[] h = x;
        for (int l = 0; l < mlp.depth(); l++) {
            Layer layer = mlp.layers().get(l);
            double[] next = new double[(int) layer.out()];
            for (int j = 0; j < next.length; j++) {
                double s = layer.bias().get(j);
                for (int k = 0; k < h.length; k++) {
                    s += layer.weight().get(j, k) * h[k];
                }
                z.add(s);
                next[j] = Math.max(0, s);
            }
            h = next;
        }
        return z.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void assertSameBreakpoints(Backend backend, Mlp expected, Mlp actual, SplittableRandom rng) {
        Tensor a = Nets.inputs(rng.nextLong(), 8, 3);
        Tensor b = Nets.inputs(rng.nextLong(), 8, 3);
        for (long i = 0; i < a.size(); i++) {
            a.setFlat(i, 3 * a.getFlat(i));
            b.setFlat(i, 3 * b.getFlat(i));
        }
        List<SegmentRegions> e = RegionsAlongSegments.compute(backend, expected, a, b);
        List<SegmentRegions> g = RegionsAlongSegments.compute(backend, actual, a, b);
        int total = 0;
        for (int k = 0; k < e.size(); k++) {
            assertArrayEquals(e.get(k).breakpoints(), g.get(k).breakpoints(), 1e-9, "segment " + k);
            total += e.get(k).breakpoints().length;
        }
        assertTrue(total > 8, "the segments cross some hyperplanes: " + total);
    }

    /** A network's parameters as lists of rows, to which units are added. */
    static final class Planted {
        final List<List<double[]>> w = new ArrayList<>();   // per layer, its rows
        final List<double[]> b = new ArrayList<>();

        Planted(Mlp mlp) {
            for (Layer layer : mlp.layers()) {
                List<double[]> rows = new ArrayList<>();
                for (long r = 0; r < layer.out(); r++) {
                    double[] row = new double[(int) layer.in()];
                    for (int c = 0; c < row.length; c++) {
                        row[c] = layer.weight().get(r, c);
                    }
                    rows.add(row);
                }
                w.add(rows);
                b.add(layer.bias().toDoubleArray());
            }
        }

        int in(int l) {
            return w.get(l).get(0).length;
        }

        double[] row(int h, int j) {
            return w.get(h).get(j).clone();
        }

        double[] randomRow(int h, SplittableRandom rng) {
            double[] r = new double[in(h)];
            for (int k = 0; k < r.length; k++) {
                r[k] = rng.nextDouble(-1, 1);
            }
            return r;
        }

        double[] randomColumn(int h, SplittableRandom rng) {
            double[] c = new double[w.get(h + 1).size()];
            for (int k = 0; k < c.length; k++) {
                c[k] = rng.nextDouble(-1, 1);
            }
            return c;
        }

        /** Appends a unit to hidden layer h with the given incoming row, bias and outgoing column. */
        void addUnit(int h, double[] in, double bias, double[] out) {
            w.get(h).add(in);
            double[] nb = java.util.Arrays.copyOf(b.get(h), b.get(h).length + 1);
            nb[nb.length - 1] = bias;
            b.set(h, nb);
            List<double[]> next = w.get(h + 1);
            for (int o = 0; o < next.size(); o++) {
                double[] r = java.util.Arrays.copyOf(next.get(o), next.get(o).length + 1);
                r[r.length - 1] = out[o];
                next.set(o, r);
            }
        }

        /**
         * Appends a unit without incoming weights, outputting phi(bias), and takes its contribution off the
         * next layer's bias so the function stays the same.
         */
        void addConstantUnit(int h, double bias, double[] out, Activation phi) {
            addUnit(h, new double[in(h)], bias, out);
            for (int o = 0; o < out.length; o++) {
                b.get(h + 1)[o] -= out[o] * phi.value(bias);
            }
        }

        /** Adds a copy of unit j scaled by c > 0 that takes the share 1 - alpha of its outgoing weights. */
        void duplicate(int h, int j, double c, double alpha) {
            double[] row = row(h, j);
            for (int k = 0; k < row.length; k++) {
                row[k] *= c;
            }
            List<double[]> next = w.get(h + 1);
            double[] out = new double[next.size()];
            for (int o = 0; o < out.length; o++) {
                out[o] = (1 - alpha) * next.get(o)[j] / c;
                next.get(o)[j] *= alpha;
            }
            addUnit(h, row, c * b.get(h)[j], out);
        }

        Mlp toMlp(Activation phi) {
            List<Layer> layers = new ArrayList<>();
            for (int l = 0; l < w.size(); l++) {
                List<double[]> rows = w.get(l);
                double[][] m = rows.toArray(new double[0][]);
                layers.add(new Layer(Tensor.of(m), Tensor.of(b.get(l).clone(), b.get(l).length)));
            }
            return new Mlp(layers, phi, Parameterization.STANDARD);
        }
    }
}
