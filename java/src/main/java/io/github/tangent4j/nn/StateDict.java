package io.github.tangent4j.nn;

import io.github.tangent4j.tensor.Npz;
import io.github.tangent4j.tensor.SafeTensors;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds an {@link Mlp} from a PyTorch {@code nn.Sequential} state dict of {@code Linear} layers:
 * keys {@code <i>.weight} (out x in) and optionally {@code <i>.bias} (out), where i is the module's
 * position in the Sequential (so activation modules leave gaps: 0, 2, 4, ...). Any increasing integer
 * indices are accepted, and all keys may share one prefix (e.g. {@code model.0.weight}). A missing
 * bias means a bias-free layer. The network uses the STANDARD parameterization.
 */
public final class StateDict {
    private static final Pattern KEY = Pattern.compile("(.*?)(\\d+)\\.(weight|bias)");

    private StateDict() {
    }

    /**
     * Loads a state dict from a {@code .npz} or {@code .safetensors} file (by extension) and builds the
     * network with {@link #toMlp}.
     *
     * @throws java.io.IOException                         if the file cannot be read
     * @throws io.github.tangent4j.tensor.TensorFormatException if it is corrupt, naming file and offset
     * @throws IllegalArgumentException                    for an unknown extension or a state dict that
     *                                                     is not an nn.Sequential of Linear layers
     */
    public static Mlp load(Path file, Activation activation) throws IOException {
        return toMlp(read(file), activation, file.toString());
    }

    /**
     * The tensors of a {@code .npz} or {@code .safetensors} file (by extension), key to tensor, before
     * they are checked to form a network.
     *
     * @throws java.io.IOException                         if the file cannot be read
     * @throws io.github.tangent4j.tensor.TensorFormatException if it is corrupt, naming file and offset
     * @throws IllegalArgumentException                    for an unknown extension
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        Map<String, Tensor> tensors;
        if (name.endsWith(".npz")) {
            tensors = Npz.read(file);
        } else if (name.endsWith(".safetensors")) {
            tensors = SafeTensors.read(file);
        } else {
            throw new IllegalArgumentException(file + ": expected a .npz or .safetensors file");
        }
        return tensors;
    }

    /**
     * The network stored in {@code tensors}.
     *
     * @param tensors    the state dict, key to tensor
     * @param activation the activation between layers (the state dict does not record it)
     * @param source     where the tensors came from, for error messages (e.g. the file name)
     * @throws IllegalArgumentException naming the source, the key and the shapes when something does
     *                                  not fit: unknown keys, a bias without weight, wrong ranks,
     *                                  layers that do not chain, mixed or non-float dtypes
     */
    public static Mlp toMlp(Map<String, Tensor> tensors, Activation activation, String source) {
        Objects.requireNonNull(tensors, "tensors");
        TreeMap<Long, Tensor> weights = new TreeMap<>();
        TreeMap<Long, Tensor> biases = new TreeMap<>();
        Map<String, String> keyOf = new java.util.HashMap<>();   // "<index>.weight|bias" -> the key given
        String prefix = null;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Matcher m = KEY.matcher(e.getKey());
            if (!m.matches()) {
                throw new IllegalArgumentException(source + ": key '" + e.getKey()
                        + "': expected '<index>.weight' or '<index>.bias' of an nn.Sequential of Linear layers");
            }
            if (prefix == null) {
                prefix = m.group(1);
            } else if (!prefix.equals(m.group(1))) {
                throw new IllegalArgumentException(source + ": key '" + e.getKey() + "': expected the prefix '"
                        + prefix + "' shared by the other keys");
            }
            long index;
            try {
                index = Long.parseLong(m.group(2));
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException(source + ": key '" + e.getKey() + "': layer index too large");
            }
            String previous = keyOf.put(index + "." + m.group(3), e.getKey());
            if (previous != null) {
                throw new IllegalArgumentException(source + ": keys '" + previous + "' and '" + e.getKey()
                        + "' are both the " + m.group(3) + " of layer " + index + "; expected one key per layer");
            }
            (m.group(3).equals("weight") ? weights : biases).put(index, e.getValue());
        }
        if (weights.isEmpty()) {
            throw new IllegalArgumentException(source + ": expected at least one '<index>.weight' but found none"
                    + (tensors.isEmpty() ? " (the file holds no arrays)" : " among " + tensors.keySet()));
        }
        for (Long i : biases.keySet()) {
            if (!weights.containsKey(i)) {
                throw new IllegalArgumentException(source + ": key '" + prefix + i + ".bias' has no matching '"
                        + prefix + i + ".weight'");
            }
        }
        List<Layer> layers = new ArrayList<>();
        for (Map.Entry<Long, Tensor> e : weights.entrySet()) {
            String key = prefix + e.getKey();
            Tensor w = e.getValue();
            Tensor b = biases.get(e.getKey());
            if (w.rank() != 2) {
                throw new IllegalArgumentException(source + ": key '" + key + ".weight': expected shape (out, in) but was "
                        + Shapes.format(w.shape()));
            }
            try {
                layers.add(new Layer(w, b));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(source + ": layer '" + key + "': " + ex.getMessage(), ex);
            }
        }
        try {
            return new Mlp(layers, activation, Parameterization.STANDARD);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(source + ": " + ex.getMessage() + " (layers in key order "
                    + weights.keySet() + ")", ex);
        }
    }

    /**
     * The state dict of {@code mlp} in PyTorch's naming ({@code 0.weight, 0.bias, 2.weight, ...}, the
     * index counting the activation modules in between), insertion-ordered.
     */
    public static Map<String, Tensor> fromMlp(Mlp mlp) {
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        for (int l = 0; l < mlp.layers().size(); l++) {
            Layer layer = mlp.layers().get(l);
            out.put(2 * l + ".weight", layer.weight());
            if (layer.hasBias()) {
                out.put(2 * l + ".bias", layer.bias());
            }
        }
        return out;
    }
}
