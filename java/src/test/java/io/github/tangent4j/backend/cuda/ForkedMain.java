package io.github.tangent4j.backend.cuda;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.Backends;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.tensor.DType;

/**
 * Run by {@link ForkedJvmTest} in a fresh JVM without the emulation's directory: {@code select}
 * prints the automatic choice and what was found; {@code java} uses the Java backend only (the
 * parent checks from the class-loading log that no CUDA class beyond the provider was loaded).
 */
public final class ForkedMain {
    private ForkedMain() {
    }

    /** Entry point; args[0] is {@code select} or {@code java}. */
    public static void main(String[] args) {
        if (args[0].equals("select")) {
            Backends.Selection s = Backends.select();
            System.out.println("backend=" + s.backend().name());
            System.out.println("reason=" + s.reason());
            System.out.println("cudart=" + CudaRuntime.LIBRARY.location());
            System.out.println("cublas=" + Cublas.LIBRARY.location());
            s.backend().close();
        } else {
            try (Backend b = Backends.create("java")) {
                DeviceMatrix m = b.allocate(DType.F64, 4, 4);
                b.fill(m, 1);
                b.gemm(false, false, 1, m, m, 0, b.allocate(DType.F64, 4, 4));
                b.activate(Activation.RELU, m, m);
                System.out.println("backend=" + b.name());
            }
        }
    }
}
