package io.github.tangent4j.training;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.linalg.LeastSquares;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.ParameterMask;
import io.github.tangent4j.tensor.Tensor;
import java.util.Objects;

/**
 * What is known in closed form about fitting linear networks ({@link Activation#IDENTITY}), used to
 * check the benchmark and to answer it without iterating.
 */
public final class LinearTheory {
    private LinearTheory() {
    }

    /**
     * The functional dimension of a deep linear network of widths {@code (D, n_1, ..., O)} with all
     * parameters trainable: its end-to-end matrices are the O x D matrices of rank at most r = the
     * minimum width, a determinantal variety of dimension {@code r (D + O - r)} (Trager, Kohn and Bruna,
     * "Pure and spurious critical points: a geometric study of linear networks", ICLR 2020), plus O for
     * the end-to-end bias when the layers have biases. It is the rank of the stacked parameter Jacobian at
     * generic parameters and at least D generic inputs.
     */
    public static long functionalDimension(long[] widths, boolean biases) {
        if (widths.length < 2) {
            throw new IllegalArgumentException("widths: expected at least (D, O) but got " + widths.length + " values");
        }
        long r = Long.MAX_VALUE;
        for (long w : widths) {
            r = Math.min(r, w);
        }
        long d = widths[0];
        long o = widths[widths.length - 1];
        return r * (d + o - r) + (biases ? o : 0);
    }

    /**
     * The exact answer for a mask inside one layer of a linear network: the outputs are then affine in the
     * trainable parameters, {@code f = f_0 + J_S delta}, so the best fit is the least-squares solution of
     * {@code J_S delta = y - f_0}, and the targets can be matched iff {@code y - f_0} lies in the span of
     * the columns of J_S (rank of J_S equals rank of {@code [J_S | y - f_0]}).
     *
     * @param rank          the rank of J_S (N*O x M)
     * @param augmentedRank the rank of {@code [J_S | y - f_0]}
     * @param loss          the least-squares floor: the smallest mean over N*O entries of the squared error
     */
    public record SingleLayer(long rank, long augmentedRank, double loss) {
        /** Whether the system is consistent, i.e. the fit can reach zero loss. */
        public boolean solvable() {
            return augmentedRank == rank;
        }
    }

    /** Whether {@code mask}'s trainable parameters all sit in one layer of a linear network {@code mlp}. */
    public static boolean isSingleLayerLinear(Mlp mlp, ParameterMask mask) {
        if (mlp.activation() != Activation.IDENTITY && mlp.depth() > 0) {
            return false;
        }
        MaskedParameters p = MaskedParameters.of(mlp, mask);
        int layers = 0;
        for (int l = 0; l < p.layers(); l++) {
            layers += p.weightEntries(l).length + p.biasEntries(l).length > 0 ? 1 : 0;
        }
        return layers == 1;
    }

    /**
     * The least-squares answer for fitting the trainable parameters of {@code mlp} to {@code y} (N, O) at
     * {@code x} (N, D), both of the network's dtype, with J_S formed on {@code backend}.
     *
     * @throws IllegalArgumentException if the network is not linear or the mask spans more than one layer
     */
    public static SingleLayer singleLayer(Backend backend, Mlp mlp, ParameterMask mask, Tensor x, Tensor y) {
        Objects.requireNonNull(backend, "backend");
        if (!isSingleLayerLinear(mlp, mask)) {
            throw new IllegalArgumentException("mask: expected the trainable parameters of a linear (identity)"
                    + " network to sit in one layer, for " + mlp);
        }
        MaskedParameters params = MaskedParameters.of(mlp, mask);
        int m = params.count();
        try (MaskedJacobian jac = MaskedJacobian.upload(backend, mlp, params);
             DeviceMatrix xd = backend.upload(x)) {
            MaskedJacobian.Evaluation e = jac.evaluate(mlp, xd);
            double[] jt;
            try (DeviceMatrix d = e.jacobianT()) {
                jt = backend.download(d).toDoubleArray();
            }
            int rows = Math.toIntExact(y.size());
            double[] k = new double[rows * m];
            double[] aug = new double[rows * (m + 1)];
            double[] t = new double[rows];
            for (int i = 0; i < rows; i++) {
                t[i] = y.getFlat(i) - e.outputs().getFlat(i);
                for (int j = 0; j < m; j++) {
                    k[i * m + j] = jt[j * rows + i];
                    aug[i * (m + 1) + j] = jt[j * rows + i];
                }
                aug[i * (m + 1) + m] = t[i];
            }
            LeastSquares.Solution s = LeastSquares.solve(k, rows, m, t);
            return new SingleLayer(MaskedJacobian.rank(k, rows, m), MaskedJacobian.rank(aug, rows, m + 1),
                    s.residual() / rows);
        }
    }
}
