package io.github.tangent4j.training;

import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.ParameterMask;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Reads a mask state dict against the state dict of the model it is for: the same keys, each with the
 * model's shape, at least one trainable entry. A thin check in front of {@link ParameterMask#of} whose
 * messages name the key and both shapes.
 */
public final class ModelMask {
    private ModelMask() {
    }

    /**
     * The mask in {@code mask} for the network {@code mlp} built from {@code model}.
     *
     * @param modelSource where the model came from, for messages (e.g. {@code --model m.npz})
     * @param maskSource  where the mask came from, for messages (e.g. {@code --mask k.npz})
     * @throws IllegalArgumentException naming the mask source, the key and both shapes when a key is missing,
     *                                  extra or of another shape, a value is not 0/1, or no entry is trainable
     */
    public static ParameterMask of(Mlp mlp, Map<String, Tensor> model, String modelSource, Map<String, Tensor> mask,
            String maskSource) {
        Objects.requireNonNull(mlp, "mlp");
        for (String key : new TreeSet<>(model.keySet())) {
            Tensor m = mask.get(key);
            if (m == null) {
                throw new IllegalArgumentException(maskSource + ": key '" + key + "' of shape "
                        + Shapes.format(model.get(key).shape()) + " in " + modelSource + " is missing; expected the"
                        + " model's keys " + new TreeSet<>(model.keySet()) + " but found " + new TreeSet<>(mask.keySet()));
            }
            if (!Shapes.same(m.shape(), model.get(key).shape())) {
                throw new IllegalArgumentException(maskSource + ": key '" + key + "': expected shape "
                        + Shapes.format(model.get(key).shape()) + " like " + modelSource + " but was "
                        + Shapes.format(m.shape()));
            }
        }
        for (String key : new TreeSet<>(mask.keySet())) {
            if (!model.containsKey(key)) {
                throw new IllegalArgumentException(maskSource + ": key '" + key + "' of shape "
                        + Shapes.format(mask.get(key).shape()) + " is not in " + modelSource + "; expected the model's"
                        + " keys " + new TreeSet<>(model.keySet()));
            }
        }
        ParameterMask p = ParameterMask.of(mlp, mask, maskSource);
        if (p.count() == 0) {
            throw new IllegalArgumentException(maskSource + ": expected at least one trainable entry (1 or true) but"
                    + " all " + p.size() + " are 0");
        }
        return p;
    }
}
