package io.github.tangent4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.java.JavaBackend;
import io.github.tangent4j.kernels.InfiniteWidthKernel;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Architecture;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Npy;
import io.github.tangent4j.tensor.Tensor;
import java.io.RandomAccessFile;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tangent4j kernel} streams its output tile by tile into the memory-mapped {@code .npy}: an (N, N) F32
 * kernel larger than the child JVM's heap (-Xmx256m) is written whole and right, with off-heap memory capped
 * at 512 MB too (less than the result and one full-size tile held together).
 */
class KernelStreamingTest {
    private static final int N = 8400; // 8400^2 * 4 bytes = 282 MB > 256 MB of heap

    @TempDir
    Path dir;

    @Test
    void anF32KernelLargerThanTheHeapIsWritten() throws Exception {
        SplittableRandom rng = new SplittableRandom(11);
        Tensor x = Tensor.allocate(DType.F32, N, 2);
        for (long i = 0; i < x.size(); i++) {
            x.setFlat(i, (float) rng.nextGaussian());
        }
        Path xFile = dir.resolve("x.npy");
        Npy.write(xFile, x);
        Path out = dir.resolve("k.npy");
        List<String> cmd = ForkedCliTest.java("-Xmx256m", "-XX:MaxDirectMemorySize=512m");
        cmd.addAll(List.of("kernel", "--backend", "java", "--kind", "nngp", "--depth", "1", "--sigma-w2", "2",
                "--sigma-b2", "0.1", "--dtype", "f32", "--x", xFile.toString(), "--out", out.toString()));
        ForkedCliTest.Run r = ForkedCliTest.run(cmd);
        assertEquals(0, r.code(), r.err());
        long data = (long) N * N * Float.BYTES;
        assertTrue(data > 256L << 20, "the kernel is larger than the child's heap");
        long size = Files.size(out);
        assertTrue(size > data && size < data + 256, "a whole .npy: " + size);
        // a few rows against the library in this JVM (the general path: equal to float rounding)
        long[] rows = {0, 4321, N - 1};
        Tensor sub = Tensor.allocate(DType.F32, rows.length, 2);
        for (int i = 0; i < rows.length; i++) {
            sub.set(x.get(rows[i], 0), i, 0);
            sub.set(x.get(rows[i], 1), i, 1);
        }
        Tensor want;
        try (JavaBackend b = new JavaBackend()) {
            want = InfiniteWidthKernel.of(Architecture.ntkVariances(Activation.RELU, 1, 2, 0.1))
                    .withGet(InfiniteWidthKernel.Get.NNGP).compute(b, sub, x).outputNngp();
        }
        try (RandomAccessFile f = new RandomAccessFile(out.toFile(), "r"); FileChannel ch = f.getChannel()) {
            long header = size - data;
            var map = ch.map(FileChannel.MapMode.READ_ONLY, header, data).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < rows.length; i++) {
                for (long j = 0; j < N; j += 97) {
                    double got = map.getFloat((int) ((rows[i] * N + j) * Float.BYTES));
                    double w = want.get(i, j);
                    assertEquals(w, got, 1e-5 * Math.max(1, Math.abs(w)), "row " + rows[i] + " col " + j);
                    assertEquals(got, map.getFloat((int) ((j * N + rows[i]) * Float.BYTES)), "symmetric");
                }
            }
        }
    }
}
