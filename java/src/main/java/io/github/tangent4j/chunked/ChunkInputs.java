package io.github.tangent4j.chunked;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.StateDict;
import io.github.tangent4j.tensor.Npy;
import io.github.tangent4j.tensor.Npz;
import io.github.tangent4j.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The inputs of a chunked computation: the network (absent for the infinite-width kernels), the inputs
 * x (N, D) and the optional second inputs x2 (N2, D), already in the computation's dtype.
 *
 * @param mlp the network, or null
 * @param x   the inputs, (N, D)
 * @param x2  the second inputs, (N2, D), or null for x itself (a symmetric kernel)
 */
public record ChunkInputs(Mlp mlp, Tensor x, Tensor x2) {

    /** Checks that x is given. */
    public ChunkInputs {
        java.util.Objects.requireNonNull(x, "x");
    }

    /** The network, or an exception naming the computation that needs one. */
    public Mlp network() {
        if (mlp == null) {
            throw new IllegalStateException("this computation needs a network (--model)");
        }
        return mlp;
    }

    /** The second inputs, or x when there are none. */
    public Tensor right() {
        return x2 == null ? x : x2;
    }

    /**
     * SHA-256 fingerprints of the inputs' values (dtype, shape and bytes; the network's state dict with its
     * activation), keyed {@code model}, {@code x}, {@code x2}: a resumed run checks that nothing changed.
     */
    public Map<String, String> fingerprints() {
        Map<String, String> f = new LinkedHashMap<>();
        if (mlp != null) {
            MessageDigest d = sha256();
            d.update(mlp.activation().toString().getBytes(StandardCharsets.UTF_8));
            StateDict.fromMlp(mlp).forEach((k, t) -> {
                d.update(k.getBytes(StandardCharsets.UTF_8));
                digest(d, t);
            });
            f.put("model", hex(d));
        }
        f.put("x", fingerprint(x));
        if (x2 != null) {
            f.put("x2", fingerprint(x2));
        }
        return f;
    }

    private static String fingerprint(Tensor t) {
        MessageDigest d = sha256();
        digest(d, t);
        return hex(d);
    }

    private static void digest(MessageDigest d, Tensor t) {
        d.update((t.dtype().numpyDescr() + java.util.Arrays.toString(t.shape())).getBytes(StandardCharsets.UTF_8));
        MemorySegment s = t.segment();
        long step = 1 << 20;
        for (long at = 0; at < s.byteSize(); at += step) {
            ByteBuffer b = s.asSlice(at, Math.min(step, s.byteSize() - at)).asByteBuffer();
            d.update(b);
        }
    }

    private static String hex(MessageDigest d) {
        return "sha256:" + HexFormat.of().formatHex(d.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** The inputs as bytes ({@code .npz} state dict, {@code .npy} arrays), to ship to other machines. */
    public Encoded encode() {
        try {
            byte[] model = null;
            String kind = null;
            double slope = 0;
            if (mlp != null) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                Npz.write(out, StateDict.fromMlp(mlp), false);
                model = out.toByteArray();
                kind = mlp.activation().kind().name();
                slope = mlp.activation().slope();
            }
            return new Encoded(model, kind, slope, npy(x), x2 == null ? null : npy(x2));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] npy(Tensor t) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, t);
        return out.toByteArray();
    }

    /**
     * {@link ChunkInputs} as bytes.
     *
     * @param model          the state dict as {@code .npz}, or null
     * @param activationKind the network's {@link Activation.Kind} name, or null
     * @param slope          the activation's slope (leaky ReLU)
     * @param x              x as {@code .npy}
     * @param x2             x2 as {@code .npy}, or null
     */
    public record Encoded(byte[] model, String activationKind, double slope, byte[] x, byte[] x2)
            implements Serializable {
        /** The inputs again. */
        public ChunkInputs decode() {
            try {
                Mlp mlp = model == null ? null
                        : StateDict.toMlp(Npz.read(model, "model"),
                                new Activation(Activation.Kind.valueOf(activationKind), slope), "model");
                return new ChunkInputs(mlp, Npy.read(x, "x"), x2 == null ? null : Npy.read(x2, "x2"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
