package io.github.tangent4j.chunked;

import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.ZarrStore;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The chunk grid of an output: its shape, the chunk shape (first two axes; the rest whole), and whether
 * tiles mirror. A symmetric kernel (x2 absent) with square chunks computes only the tiles on and below
 * the diagonal and writes each one's mirror as well; with other chunk shapes every tile is computed.
 *
 * @param shape  the output's shape
 * @param chunks the chunk shape
 * @param mirror how tiles mirror ({@link Mirror#NONE}: not at all)
 */
public record ChunkPlan(long[] shape, long[] chunks, Mirror mirror) implements Serializable {
    /** The size a default chunk aims at: 32 MiB (2048 x 2048 doubles). */
    public static final long DEFAULT_CHUNK_BYTES = 32L << 20;

    /**
     * The plan of {@code c} on {@code in} with the chunk rows and columns asked for ({@code requested}:
     * null, {R} or {R, C}; null: the default, {@link #DEFAULT_CHUNK_BYTES} per chunk).
     *
     * @throws IllegalArgumentException naming --chunk when the request does not fit the output
     */
    public static ChunkPlan of(ChunkedComputation c, ChunkInputs in, long[] requested) {
        long[] shape = c.shape(in);
        long unit = c.unit(in);
        DType dtype = c.dtype(in);
        long[] chunks = shape.clone();
        long trailing = 1;
        for (int k = c.grid() ? 2 : 1; k < shape.length; k++) {
            trailing *= Math.max(1, shape[k]);
        }
        long target = Math.max(1, DEFAULT_CHUNK_BYTES / dtype.byteSize() / trailing);
        if (c.grid()) {
            long side = requested == null ? roundDown((long) Math.sqrt((double) target), unit) : requested[0];
            chunks[0] = side;
            chunks[1] = requested == null ? side : requested.length > 1 ? requested[1] : requested[0];
        } else {
            if (requested != null && requested.length > 1 && shape.length > 1 && requested[1] != shape[1]) {
                throw new IllegalArgumentException("--chunk: " + c.subcommand() + " is chunked by rows only; expected R"
                        + " (or Rx" + shape[1] + ") but was " + requested[0] + "x" + requested[1]);
            }
            chunks[0] = requested == null ? roundDown(target, unit) : requested[0];
        }
        for (int k = 0; k < (c.grid() ? 2 : 1); k++) {
            if (chunks[k] < 1 || chunks[k] % unit != 0) {
                throw new IllegalArgumentException("--chunk: expected a positive multiple of " + unit
                        + (unit > 1 ? " (1+D rows per point)" : "") + " but was " + chunks[k]);
            }
            chunks[k] = Math.min(chunks[k], Math.max(unit, shape[k]));
        }
        Shapes.byteSize(dtype, chunks);
        boolean square = chunks.length > 1 && chunks[0] == chunks[1];
        Mirror m = c.grid() && in.x2() == null && square ? c.mirror() : Mirror.NONE;
        return new ChunkPlan(shape, chunks, m);
    }

    private static long roundDown(long value, long unit) {
        return Math.max(unit, value / unit * unit);
    }

    /** Parses a --chunk value: {@code R} or {@code RxC}, positive integers. */
    public static long[] parse(String text) {
        String[] parts = text.split("x", -1);
        try {
            if (parts.length > 2) {
                throw new NumberFormatException();
            }
            long[] v = new long[parts.length];
            for (int i = 0; i < parts.length; i++) {
                v[i] = Long.parseLong(parts[i]);
                if (v[i] < 1) {
                    throw new NumberFormatException();
                }
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--chunk: expected R or RxC, positive integers, but was '" + text + "'");
        }
    }

    /** The number of chunks along axis 0 and axis 1. */
    public long[] grid() {
        return new long[] {ceilDiv(shape[0], chunks[0]), shape.length == 1 ? 1 : ceilDiv(shape[1], chunks[1])};
    }

    /** Every task, row by row: all chunks, or those on and below the diagonal when mirroring. */
    public List<ChunkTask> tasks() {
        long[] g = grid();
        List<ChunkTask> tasks = new ArrayList<>();
        for (long i = 0; i < g[0]; i++) {
            for (long j = 0; j < (mirror == Mirror.NONE ? g[1] : Math.min(g[1], i + 1)); j++) {
                tasks.add(new ChunkTask(i, j));
            }
        }
        return tasks;
    }

    /** The chunks task {@code t} writes: its own and, when mirroring off the diagonal, the mirrored one. */
    public List<ChunkTask> targets(ChunkTask t) {
        return mirror == Mirror.NONE || t.row() == t.col() ? List.of(t) : List.of(t, new ChunkTask(t.col(), t.row()));
    }

    /** The tasks with a chunk missing (or damaged) in {@code store}. */
    public List<ChunkTask> pending(ZarrStore store) throws IOException {
        List<ChunkTask> out = new ArrayList<>();
        for (ChunkTask t : tasks()) {
            for (ChunkTask c : targets(t)) {
                if (!store.hasChunk(c.row(), c.col())) {
                    out.add(t);
                    break;
                }
            }
        }
        return out;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
