package io.github.tangent4j.kernels;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.nn.DeviceMlp;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The empirical NTK by structured derivatives: per layer l, with {@code K_l = a_l^2 H_{l-1} H'_{l-1}^T + c^2}
 * (the bias term only where the layer has a bias),
 * {@code Theta_l(x_i, x'_j)_{oo'} = K_l(i, j) (Delta_l(x_i)_o . Delta_l(x'_j)_o')} — two GEMMs and a
 * Hadamard product per layer, never the N x P Jacobian. The trace over outputs uses the signals
 * flattened per example, {@code (Delta_l^flat Delta_l'^flat^T) (.) K_l}. See Novak, Sohl-Dickstein and
 * Schoenholz, "Fast Finite Width Neural Tangent Kernel" (ICML 2022), for the structured-derivative view.
 */
final class StructuredNtk implements NtkMethod {
    private final Mlp mlp;
    private final Backend backend;

    StructuredNtk(Mlp mlp, Backend backend) {
        this.mlp = mlp;
        this.backend = backend;
    }

    @Override
    public Features features(DeviceMlp net, Tensor x, long from, long to) {
        return NtkFeatures.of(net, x, from, to);
    }

    @Override
    public long featureBytesPerExample() {
        return NtkFeatures.bytesPerExample(mlp);
    }

    @Override
    public List<DeviceMatrix> tile(Features fa, Features fb, EmpiricalNtk.Kind kind, boolean perLayer) {
        NtkFeatures a = (NtkFeatures) fa;
        NtkFeatures b = (NtkFeatures) fb;
        DType dt = mlp.dtype();
        long o = mlp.outputDim();
        List<DeviceMatrix> out = new ArrayList<>();
        try (DeviceMatrix ones = backend.allocateUninitialised(dt, 1, Math.max(o, 1))) {
            backend.fill(ones, 1);
            for (int l = 0; l < mlp.layers().size(); l++) {
                DeviceMatrix term = switch (kind) {
                    case TRACE -> traceTerm(a, b, l);
                    case FULL -> fullTerm(a, b, l, ones);
                    case DIAGONAL -> diagonalTerm(a, l);
                };
                if (perLayer || out.isEmpty()) {
                    out.add(term);
                } else {
                    try (term) {
                        DeviceMatrix acc = out.get(0);
                        backend.addRowVector(acc.reshape(1, acc.size()), term.reshape(1, term.size()));
                    }
                }
            }
            return out;
        } catch (RuntimeException e) {
            out.forEach(DeviceMatrix::close);
            throw e;
        }
    }

    /** {@code K_l = a_l^2 H_A H_B^T + c^2 [bias]} (|I| x |J|). */
    private DeviceMatrix layerGram(NtkFeatures a, NtkFeatures b, int l) {
        double aw = weightGramScale(mlp, l);
        double cb = biasGramTerm(mlp, l);
        DeviceMatrix k = backend.allocateUninitialised(mlp.dtype(), a.rows(), b.rows());
        try {
            if (cb != 0) {
                backend.fill(k, cb);
            }
            backend.gemm(false, true, aw, a.input(l), b.input(l), cb != 0 ? 1 : 0, k);
            return k;
        } catch (RuntimeException e) {
            k.close();
            throw e;
        }
    }

    private DeviceMatrix traceTerm(NtkFeatures a, NtkFeatures b, int l) {
        long flat = mlp.outputDim() * mlp.layers().get(l).out();
        DeviceMatrix t = backend.allocateUninitialised(mlp.dtype(), a.rows(), b.rows());
        try (DeviceMatrix k = layerGram(a, b, l)) {
            backend.gemm(false, true, 1, a.signal(l).reshape(a.rows(), flat), b.signal(l).reshape(b.rows(), flat), 0,
                    t);
            backend.hadamard(t, k, t);
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    private DeviceMatrix fullTerm(NtkFeatures a, NtkFeatures b, int l, DeviceMatrix ones) {
        long o = mlp.outputDim();
        DeviceMatrix s = backend.allocateUninitialised(mlp.dtype(), a.rows() * o, b.rows() * o);
        try (DeviceMatrix k = layerGram(a, b, l);
             DeviceMatrix e = backend.allocateUninitialised(mlp.dtype(), a.rows(), b.rows() * o)) {
            backend.gemm(false, true, 1, a.signal(l), b.signal(l), 0, s);
            // e[i, (j, o')] = K[i, j]: each entry of K repeated O times by a rank-1 product
            backend.gemm(false, false, 1, k.reshape(k.size(), 1), ones, 0, e.reshape(k.size(), o));
            backend.hadamard(s, e, s);
            return s;
        } catch (RuntimeException ex) {
            s.close();
            throw ex;
        }
    }

    /** The (|I|*O x O) blocks Theta_l(x_i, x_i): batched {@code Delta_i Delta_i^T}, scaled per example by K_l(i, i). */
    private DeviceMatrix diagonalTerm(NtkFeatures a, int l) {
        Layer layer = mlp.layers().get(l);
        long o = mlp.outputDim();
        long rows = a.rows();
        double aw = weightGramScale(mlp, l);
        double cb = biasGramTerm(mlp, l);
        DeviceMatrix c = backend.allocateUninitialised(mlp.dtype(), rows * o, o);
        try (DeviceMatrix h2 = backend.allocateUninitialised(mlp.dtype(), rows, layer.in());
             DeviceMatrix onesIn = backend.allocateUninitialised(mlp.dtype(), layer.in(), 1);
             DeviceMatrix k = backend.allocateUninitialised(mlp.dtype(), rows, 1)) {
            backend.gemmBatched(Math.toIntExact(rows), false, true, 1, a.signal(l), a.signal(l), 0, c);
            backend.hadamard(a.input(l), a.input(l), h2);
            backend.fill(onesIn, 1);
            if (cb != 0) {
                backend.fill(k, cb);
            }
            backend.gemm(false, false, aw, h2, onesIn, cb != 0 ? 1 : 0, k);
            backend.scaleRows(c.reshape(rows, o * o), k);
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** {@code a_l^2}: the factor of layer l's input Gram in {@code K_l}. */
    static double weightGramScale(Mlp mlp, int l) {
        return finiteSquare(mlp.parameterization().weightScale(mlp.layers().get(l).in()), "weight", l);
    }

    /** {@code c^2} where layer l has a bias, else 0: the constant term of {@code K_l}. */
    static double biasGramTerm(Mlp mlp, int l) {
        return mlp.layers().get(l).hasBias() ? finiteSquare(mlp.parameterization().biasScale(), "bias", l) : 0;
    }

    /**
     * {@code v^2}, or the overflow policy's error where it is not finite: every entry of the layer's Gram would
     * be infinite or NaN although the inputs are finite.
     */
    private static double finiteSquare(double v, String what, int l) {
        double square = v * v;
        if (!Double.isFinite(square)) {
            throw new ArithmeticException("the empirical NTK: layer " + l + "'s " + what + " scale " + v
                    + " squared is not finite in double precision, although every input is finite");
        }
        return square;
    }
}
