package io.github.tangent4j.training;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.ParameterMask;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.nn.StateDict;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.testing.Gaussian;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/** Networks, data, masks and plain matrix references for the training tests. */
final class Fixtures {
    private Fixtures() {
    }

    /** An (n, d) matrix of standard Gaussian values. */
    static Tensor gaussian(long seed, long n, long d) {
        return Gaussian.matrix(seed, n, d);
    }

    /** A random F64 network; without biases when {@code biases} is false. */
    static Mlp network(long seed, Activation phi, boolean biases, long... widths) {
        Mlp m = Mlp.random(seed, phi, Parameterization.STANDARD, DType.F64, widths);
        if (biases) {
            return m;
        }
        List<Layer> layers = new ArrayList<>();
        for (Layer l : m.layers()) {
            layers.add(new Layer(l.weight(), null));
        }
        return new Mlp(layers, phi, m.parameterization());
    }

    /** The mask whose trainable parameters (ParameterLayout order) satisfy {@code trainable}. */
    static ParameterMask mask(Mlp mlp, LongPredicate trainable) {
        Map<String, Tensor> dict = new LinkedHashMap<>();
        long p = 0;
        for (Map.Entry<String, Tensor> e : StateDict.fromMlp(mlp).entrySet()) {
            Tensor t = Tensor.allocate(DType.F64, e.getValue().shape());
            for (long i = 0; i < t.size(); i++) {
                t.setFlat(i, trainable.test(p++) ? 1 : 0);
            }
            dict.put(e.getKey(), t);
        }
        return ParameterMask.of(mlp, dict, "test mask");
    }

    /** A tensor as an EJML matrix (rank 2). */
    static DMatrixRMaj matrix(Tensor t) {
        return new DMatrixRMaj((int) t.dim(0), (int) t.dim(1), true, t.toDoubleArray());
    }

    /** A * B with EJML. */
    static DMatrixRMaj times(DMatrixRMaj a, DMatrixRMaj b) {
        DMatrixRMaj c = new DMatrixRMaj(a.numRows, b.numCols);
        CommonOps_DDRM.mult(a, b, c);
        return c;
    }

    /** A^T with EJML. */
    static DMatrixRMaj transpose(DMatrixRMaj a) {
        DMatrixRMaj t = new DMatrixRMaj(a.numCols, a.numRows);
        CommonOps_DDRM.transpose(a, t);
        return t;
    }

    /** The rank of a matrix by EJML's own rank routine (SVD). */
    static int rank(DMatrixRMaj a) {
        return org.ejml.dense.row.MatrixFeatures_DDRM.rank(a);
    }

    /** Mean of the squares of y's entries. */
    static double meanSquare(Tensor y) {
        double s = 0;
        for (long i = 0; i < y.size(); i++) {
            s += y.getFlat(i) * y.getFlat(i);
        }
        return s / y.size();
    }
}
