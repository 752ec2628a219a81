package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.patterns.RegionsAlongSegments;
import io.github.tangent4j.patterns.SegmentRegions;
import io.github.tangent4j.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tangent4j regions}: the exact linear pieces along the segments from the rows of --a to the
 * rows of --b, as JSON {@code {"segments": [{"breakpoints": [t, ...], "pieces": k}, ...]}}.
 */
@Command(name = "regions", mixinStandardHelpOptions = true,
        description = "Write, as JSON, the breakpoints t in (0, 1) where a pre-activation changes sign on "
                + "a_k + t (b_k - a_k), and the number of linear pieces, for every row pair of --a and --b.")
final class RegionsCommand extends NetworkCommand {
    @StandardInput
    @Option(names = "--a", required = true, paramLabel = "FILE", description = "segment starts, .npy of shape (K, D)")
    Path a;

    @StandardInput
    @Option(names = "--b", required = true, paramLabel = "FILE", description = "segment ends, .npy of shape (K, D)")
    Path b;

    @Override
    public Integer call() throws Exception {
        Mlp mlp = common.loadModel();
        Tensor rawStarts = common.openInputs(a, "--a", mlp);
        Tensor rawEnds = common.openInputs(b, "--b", mlp);
        // at least the pieces count of every segment ("{breakpoints: [], pieces: k}", ~32 bytes) is written
        Room.checkDisk(common.out, "--out", Room.times(rawStarts.dim(0), 32), "the JSON of " + rawStarts.dim(0)
                + " segments");
        Tensor starts = common.checked(rawStarts, "--a", a);
        Tensor ends = common.checked(rawEnds, "--b", b);
        List<SegmentRegions> segments;
        try (Backend backend = common.openBackend()) {
            segments = RegionsAlongSegments.compute(backend, mlp, starts, ends);
        }
        String json = json(segments);
        OutputFile.write(common.out, "--out", tmp -> Files.writeString(tmp, json, StandardCharsets.UTF_8));
        return 0;
    }

    /** The JSON document; breakpoints are written with Java's shortest round-trip decimal form. */
    static String json(List<SegmentRegions> segments) {
        StringBuilder sb = new StringBuilder("{\"segments\": [");
        for (int s = 0; s < segments.size(); s++) {
            SegmentRegions r = segments.get(s);
            sb.append(s == 0 ? "" : ", ").append("{\"breakpoints\": [");
            double[] t = r.breakpoints();
            for (int k = 0; k < t.length; k++) {
                sb.append(k == 0 ? "" : ", ").append(t[k]);
            }
            sb.append("], \"pieces\": ").append(r.pieces()).append('}');
        }
        return sb.append("]}\n").toString();
    }
}
