package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.ParameterMask;
import io.github.tangent4j.nn.StateDict;
import io.github.tangent4j.tensor.Npz;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.training.MaskedFit;
import io.github.tangent4j.training.ModelMask;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tangent4j fit}: trains only the masked parameters of a model and writes the fitted state dict. */
@Command(name = "fit", mixinStandardHelpOptions = true,
        description = "Train only the parameters --mask marks trainable to the targets --y at --x; print 'loss V', the"
                + " mean over the N*O entries of (f(x) - y)^2; write the fitted state dict (.npz, the model's keys)"
                + " to --out. Every other parameter is written unchanged, bit for bit.")
final class FitCommand extends NetworkCommand {
    private static final Pattern KEY = Pattern.compile("(.*?)(\\d+)\\.(weight|bias)");

    @Option(names = "--mask", paramLabel = "FILE", required = true,
            description = ".npz/.safetensors with the model's keys and shapes, booleans or 0/1 (1 = trainable)")
    Path mask;

    @Option(names = "--y", paramLabel = "FILE", required = true, description = "targets, .npy of shape (N, O)")
    Path y;

    @Option(names = "--method", paramLabel = "lm|adam", defaultValue = "lm",
            description = "Levenberg-Marquardt on the masked Jacobian, or Adam on mini-batches (default: ${DEFAULT-VALUE})")
    String method;

    @Option(names = "--steps", paramLabel = "S", defaultValue = "200",
            description = "step budget (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--tolerance", paramLabel = "T", defaultValue = "1e-20",
            description = "stop at a loss <= T * mean(y^2) (default: ${DEFAULT-VALUE})")
    double tolerance;

    @Option(names = "--learning-rate", paramLabel = "LR", defaultValue = "1e-3",
            description = "Adam's learning rate (default: ${DEFAULT-VALUE})")
    double learningRate;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "256",
            description = "Adam's mini-batch size (default: ${DEFAULT-VALUE})")
    long batchSize;

    @Override
    public Integer call() throws Exception {
        MaskedFit.Method m = WordOption.parse("--method", method,
                Map.entry("lm", MaskedFit.Method.LEVENBERG_MARQUARDT), Map.entry("adam", MaskedFit.Method.ADAM));
        Mlp mlp = common.loadModel();
        Map<String, Tensor> modelTensors = StateDict.read(common.model);
        ParameterMask trainable = ModelMask.of(mlp, modelTensors, "--model " + common.model, StateDict.read(mask),
                "--mask " + mask);
        Tensor x = common.loadInputs(common.x, "--x", mlp);
        Tensor targets = common.loadMatrix(y, "--y", mlp.outputDim(), "for the model's output width");
        if (targets.dim(0) != x.dim(0)) {
            throw new IllegalArgumentException("--y " + y + ": expected " + x.dim(0) + " rows like --x but had "
                    + targets.dim(0));
        }
        MaskedFit fit = MaskedFit.of(mlp, trainable).withMethod(m).withSteps(steps).withTolerance(tolerance)
                .withLearningRate(learningRate).withBatches(batchSize, 0);
        MaskedFit.Result r;
        try (Backend backend = common.openBackend()) {
            r = fit.fit(backend, x, targets);
        }
        Map<String, Tensor> fitted = renamed(StateDict.fromMlp(r.mlp()), modelTensors);
        OutputFile.write(common.out, "--out", tmp -> Npz.write(tmp, fitted));
        out().println(String.format(Locale.ROOT, "loss %.17g", r.loss()));
        spec.commandLine().getErr().println("fit: " + r.reason().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                + " after " + r.steps() + " steps, " + trainable.count() + " of " + trainable.size()
                + " parameters trained");
        return 0;
    }

    /** The fitted tensors (in layer order, weight before bias) under the model's own keys, in that order. */
    private static Map<String, Tensor> renamed(Map<String, Tensor> fitted, Map<String, Tensor> model) {
        List<String> keys = new ArrayList<>(model.keySet());
        keys.sort(Comparator.comparingLong((String k) -> index(k)).thenComparing(k -> k.endsWith(".bias")));
        Map<String, Tensor> out = new LinkedHashMap<>();
        int i = 0;
        for (Tensor t : fitted.values()) {
            out.put(keys.get(i++), t);
        }
        return out;
    }

    private static long index(String key) {
        Matcher m = KEY.matcher(key);
        return m.matches() ? Long.parseLong(m.group(2)) : Long.MAX_VALUE;
    }
}
