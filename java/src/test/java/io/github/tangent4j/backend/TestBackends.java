package io.github.tangent4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.tangent4j.backend.cuda.CudaBackend;
import io.github.tangent4j.backend.cuda.Emu;
import io.github.tangent4j.backend.java.JavaBackend;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The backends the test JVM can run: {@code java} always, {@code cuda} on the CPU emulation when it
 * was built (otherwise its cases are skipped through a JUnit assumption that says why, or fail when
 * the system property {@code tangent4j.emu.required} is true, as in CI).
 */
public final class TestBackends {
    private TestBackends() {
    }

    /** Every backend name, for {@code @MethodSource}. */
    public static List<String> names() {
        return List.of("java", "cuda");
    }

    /** Whether a missing emulated device fails the CUDA cases ({@code -Dtangent4j.emu.required=true}). */
    public static boolean emuRequired() {
        return Boolean.getBoolean("tangent4j.emu.required");
    }

    /** Skips the calling test when the emulated device is missing, or fails it when it is required. */
    public static void requireEmu() {
        if (emuRequired()) {
            assertTrue(Emu.available(), () -> "the emulated CUDA device is required but missing: " + Emu.whyNot());
        }
        assumeTrue(Emu.available(), Emu::whyNot);
    }

    /** A new backend of the given kind; skips the test when it cannot run here. */
    public static Backend open(String name) {
        return switch (name) {
            case "java" -> new JavaBackend();
            case "cuda" -> {
                requireEmu();
                Emu.reset();
                yield new CudaBackend();
            }
            default -> throw new IllegalArgumentException(name);
        };
    }

    /**
     * Runs {@code body} on a new backend, closes it, and checks that closing it returned every
     * device allocation and handle (the emulation's counters are back to where they were), every
     * pinned host allocation, and every block cached in the memory pool.
     */
    public static void with(String name, Consumer<Backend> body) {
        boolean cuda = name.equals("cuda");
        if (cuda) {
            requireEmu();
        }
        int allocations = cuda ? Emu.liveAllocations() : 0;
        int handles = cuda ? Emu.liveHandles() : 0;
        try (Backend b = open(name)) {
            body.accept(b);
        } finally {
            if (cuda) {
                Emu.reset();
            }
        }
        if (cuda) {
            assertEquals(allocations, Emu.liveAllocations(), "device allocations leaked");
            assertEquals(handles, Emu.liveHandles(), "CUDA handles leaked");
            assertEquals(0, Emu.liveHostAllocations(), "pinned host memory leaked");
            assertEquals(0, Emu.poolCachedBlocks(), "blocks left cached in the memory pool after close");
        }
    }

    /** Random values in [-1, 1), rounded to float for F32 so references see exactly the uploaded inputs. */
    public static double[] random(SplittableRandom rnd, DType dtype, long n) {
        double[] v = new double[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = round(dtype, rnd.nextDouble(-1, 1));
        }
        return v;
    }

    /** {@code x} as the dtype stores it. */
    public static double round(DType dtype, double x) {
        return dtype == DType.F32 ? (float) x : x;
    }

    /** A host tensor of dtype holding {@code v} with the given shape. */
    public static Tensor tensor(DType dtype, double[] v, long... shape) {
        Tensor t = Tensor.allocate(dtype, shape);
        for (int i = 0; i < v.length; i++) {
            t.setFlat(i, v[i]);
        }
        return t;
    }

    /** Uploads {@code v} as a rows x cols matrix. */
    public static DeviceMatrix upload(Backend b, DType dtype, double[] v, long rows, long cols) {
        return b.upload(tensor(dtype, v, rows, cols));
    }

    /** Downloads a matrix to doubles. */
    public static double[] download(Backend b, DeviceMatrix m) {
        return b.download(m).toDoubleArray();
    }

    /** Relative tolerance of comparisons in a dtype (F64 1e-12, F32 1e-5). */
    public static double tolerance(DType dtype) {
        return dtype == DType.F64 ? 1e-12 : 1e-5;
    }
}
