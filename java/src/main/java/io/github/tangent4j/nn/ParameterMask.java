package io.github.tangent4j.nn;

import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Which parameters of a network are trainable: one flag per parameter in {@link ParameterLayout} order,
 * read from a state dict with the model's keys and shapes whose arrays are booleans or 0/1 numbers
 * (true / 1 = trainable). Used to restrict a parameter Jacobian to a subset of its columns (subset
 * learning, e.g. Schlisselberg and Darshan 2025).
 */
public final class ParameterMask {
    private final boolean[] trainable;
    private final long count;

    private ParameterMask(boolean[] trainable) {
        this.trainable = trainable;
        long c = 0;
        for (boolean t : trainable) {
            c += t ? 1 : 0;
        }
        this.count = c;
    }

    /**
     * The mask {@code flags} (one per parameter of {@code mlp}, in parameter order) as a state dict of booleans
     * with the keys and shapes of {@link StateDict#fromMlp} (what a mask {@code .npz} holds; {@link #of} reads it).
     *
     * @throws IllegalArgumentException unless there is one flag per parameter
     */
    public static Map<String, Tensor> stateDict(Mlp mlp, boolean[] flags) {
        if (flags.length != mlp.parameterCount()) {
            throw new IllegalArgumentException("flags: expected " + mlp.parameterCount() + " (one per parameter of "
                    + mlp + ") but was " + flags.length);
        }
        Map<String, Tensor> dict = new LinkedHashMap<>();
        int offset = 0;
        for (Map.Entry<String, Tensor> e : StateDict.fromMlp(mlp).entrySet()) {
            Tensor t = Tensor.allocate(DType.BOOL, e.getValue().shape());
            for (long i = 0; i < t.size(); i++) {
                t.setFlat(i, flags[offset++] ? 1 : 0);
            }
            dict.put(e.getKey(), t);
        }
        return dict;
    }

    /** Every parameter of {@code mlp} trainable. */
    public static ParameterMask all(Mlp mlp) {
        boolean[] t = new boolean[Math.toIntExact(mlp.parameterCount())];
        java.util.Arrays.fill(t, true);
        return new ParameterMask(t);
    }

    /**
     * The mask in {@code tensors} (a state dict like the model's) for {@code mlp}.
     *
     * @param source where the tensors came from, for messages (e.g. the file name)
     * @throws IllegalArgumentException naming the source and key when a key, shape or value does not fit
     */
    public static ParameterMask of(Mlp mlp, Map<String, Tensor> tensors, String source) {
        Objects.requireNonNull(mlp, "mlp");
        Map<String, Tensor> numeric = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            Tensor d = t.dtype() == DType.F64 ? t : t.to(DType.F64);
            for (long i = 0; i < d.size(); i++) {
                double v = d.getFlat(i);
                if (v != 0 && v != 1) {
                    throw new IllegalArgumentException(source + ": key '" + e.getKey()
                            + "': expected booleans or 0/1 but element " + i + " is " + v);
                }
            }
            numeric.put(e.getKey(), d);
        }
        // Each key against the model's own (a transposed weight is named as such, not as a bias mismatch).
        Map<String, Tensor> model = StateDict.fromMlp(mlp);
        for (Map.Entry<String, Tensor> e : numeric.entrySet()) {
            Tensor want = model.get(e.getKey());
            if (want != null && !Shapes.same(want.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException(source + ": key '" + e.getKey() + "': expected shape "
                        + Shapes.format(want.shape()) + " like the model's but was "
                        + Shapes.format(e.getValue().shape()));
            }
        }
        Mlp shape = StateDict.toMlp(numeric, Activation.IDENTITY, source);
        if (shape.layers().size() != mlp.layers().size()) {
            throw new IllegalArgumentException(source + ": expected a mask for " + mlp.layers().size()
                    + " layers like the model but found " + shape.layers().size());
        }
        boolean[] flags = new boolean[Math.toIntExact(mlp.parameterCount())];
        int k = 0;
        for (int l = 0; l < mlp.layers().size(); l++) {
            Layer want = mlp.layers().get(l);
            Layer got = shape.layers().get(l);
            if (!Shapes.same(want.weight().shape(), got.weight().shape()) || want.hasBias() != got.hasBias()) {
                throw new IllegalArgumentException(source + ": layer " + l + ": expected weight "
                        + Shapes.format(want.weight().shape()) + (want.hasBias() ? " and a bias" : " and no bias")
                        + " like the model but found " + Shapes.format(got.weight().shape())
                        + (got.hasBias() ? " and a bias" : " and no bias"));
            }
            for (long i = 0; i < got.weight().size(); i++) {
                flags[k++] = got.weight().getFlat(i) != 0;
            }
            if (got.hasBias()) {
                for (long i = 0; i < got.bias().size(); i++) {
                    flags[k++] = got.bias().getFlat(i) != 0;
                }
            }
        }
        return new ParameterMask(flags);
    }

    /** Whether parameter {@code p} (state-dict order) is trainable. */
    public boolean trainable(long p) {
        return trainable[Math.toIntExact(p)];
    }

    /** Number of trainable parameters. */
    public long count() {
        return count;
    }

    /** Number of parameters, trainable or not. */
    public long size() {
        return trainable.length;
    }
}
