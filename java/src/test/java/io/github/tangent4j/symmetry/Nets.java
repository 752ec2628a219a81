package io.github.tangent4j.symmetry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.testing.Gaussian;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Test networks, random symmetries and the independent references of the symmetry tests. */
final class Nets {
    private Nets() {
    }

    /** A random F64 network of the given widths (STANDARD, PyTorch-like initialisation). */
    static Mlp random(long seed, Activation phi, long... widths) {
        return Mlp.random(seed, phi, Parameterization.STANDARD, DType.F64, widths);
    }

    /** Random scales 2^u, u uniform in [-12, 12] (so lambda between 1/4096 and 4096), one per hidden unit. */
    static double[][] randomScales(Mlp mlp, SplittableRandom rng) {
        double[][] s = new double[mlp.depth()][];
        for (int h = 0; h < s.length; h++) {
            s[h] = new double[(int) mlp.layers().get(h).out()];
            for (int j = 0; j < s[h].length; j++) {
                s[h][j] = Math.pow(2, rng.nextDouble(-12, 12));
            }
        }
        return s;
    }

    /** A random permutation of every hidden layer. */
    static int[][] randomOrder(Mlp mlp, SplittableRandom rng) {
        int[][] order = new int[mlp.depth()][];
        for (int h = 0; h < order.length; h++) {
            int n = (int) mlp.layers().get(h).out();
            order[h] = new int[n];
            for (int i = 0; i < n; i++) {
                order[h][i] = i;
            }
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[h][i];
                order[h][i] = order[h][j];
                order[h][j] = t;
            }
        }
        return order;
    }

    /** Standard Gaussian inputs (n, d), F64. */
    static Tensor inputs(long seed, long n, long d) {
        return Gaussian.matrix(seed, n, d);
    }

    /** Asserts that two networks give the same outputs on x, relative to the largest output. */
    static void assertSameOutputs(Backend backend, Mlp expected, Mlp actual, Tensor x, double rel) {
        Tensor a = expected.forward(backend, x);
        Tensor b = actual.forward(backend, x);
        assertArrayEquals(a.shape(), b.shape());
        double scale = 1;
        for (long i = 0; i < a.size(); i++) {
            scale = Math.max(scale, Math.abs(a.getFlat(i)));
        }
        for (long i = 0; i < a.size(); i++) {
            assertEquals(a.getFlat(i), b.getFlat(i), rel * scale, "output " + i);
        }
    }

    /**
     * The q-th power of the path norm per output by explicit enumeration of every path: from each input
     * through one unit of every hidden layer to the output, and from the bias of each unit (or output)
     * onwards; the product of |weight|^q along it. Effective weights of the parameterization.
     */
    static double[] bruteForcePathSums(Mlp mlp, double q) {
        List<double[][]> w = new ArrayList<>();
        List<double[]> b = new ArrayList<>();
        Parameterization p = mlp.parameterization();
        for (Layer layer : mlp.layers()) {
            double a = p.weightScale(layer.in());
            double[][] m = new double[(int) layer.out()][(int) layer.in()];
            for (int r = 0; r < m.length; r++) {
                for (int c = 0; c < m[r].length; c++) {
                    m[r][c] = a * layer.weight().get(r, c);
                }
            }
            w.add(m);
            double[] bias = new double[(int) layer.out()];
            if (layer.hasBias()) {
                for (int r = 0; r < bias.length; r++) {
                    bias[r] = p.biasScale() * layer.bias().get(r);
                }
            }
            b.add(bias);
        }
        int layers = w.size();
        double[] out = new double[(int) mlp.outputDim()];
        for (int o = 0; o < out.length; o++) {
            // start at layer `start` (0: an input; s >= 1: the bias of a unit of layer s - 1's output)
            for (int start = 0; start <= layers - 1; start++) {
                int[] path = new int[layers + 1];
                path[layers] = o;
                out[o] += enumerate(w, b, q, start, layers - 1, path);
            }
            out[o] += Math.pow(Math.abs(b.get(layers - 1)[o]), q);   // the output's own bias
        }
        return out;
    }

    /**
     * Sum over all index choices path[start .. level] (path[level + 1] fixed) of the product of
     * |w_l[path[l+1], path[l]]|^q for l = start .. level, times the starting factor: 1 for an input
     * (start = 0), |b_{start-1}[path[start]]|^q for a bias.
     */
    private static double enumerate(List<double[][]> w, List<double[]> b, double q, int start, int level, int[] path) {
        double[][] m = w.get(level);
        int choices = m[0].length;
        double s = 0;
        for (int i = 0; i < choices; i++) {
            path[level] = i;
            double f = Math.pow(Math.abs(m[path[level + 1]][i]), q);
            if (level == start) {
                s += f * (start == 0 ? 1 : Math.pow(Math.abs(b.get(start - 1)[i]), q));
            } else {
                s += f * enumerate(w, b, q, start, level - 1, path);
            }
        }
        return s;
    }
}
