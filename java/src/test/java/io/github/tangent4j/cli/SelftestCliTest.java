package io.github.tangent4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.cuda.Emu;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code selftest} passes on healthy backends and fails, naming the check, when the device misbehaves. */
class SelftestCliTest {
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void passesOnEveryBackend(String backend) {
        JacobianCliTest.assumeBackend(backend);
        CliTest.Result r = CliTest.run("selftest", "--backend", backend, "--quick");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("checks passed"), r.out());
        assertTrue(r.out().contains("GFLOP/s"), r.out());
    }

    @Test
    void failsNamingTheCheckWhenACublasCallFails() {
        io.github.tangent4j.backend.TestBackends.requireEmu();
        try {
            Emu.failNextCublas(13);   // CUBLAS_STATUS_EXECUTION_FAILED on the next GEMM
            CliTest.Result r = CliTest.run("selftest", "--backend", "cuda", "--quick");
            assertEquals(SelftestCommand.CHECK_FAILED, r.code(), r.out() + r.err());
            assertTrue(r.out().contains("FAILED gemm"), r.out());
        } finally {
            Emu.reset();
        }
    }

    @Test
    void failsNamingTheCheckWhenAGemmResultIsWrong() {
        io.github.tangent4j.backend.TestBackends.requireEmu();
        try {
            Emu.reset();
            Emu.corruptNextGemm();   // the next GEMM succeeds with a wrong first element
            CliTest.Result r = CliTest.run("selftest", "--backend", "cuda", "--quick");
            assertEquals(SelftestCommand.CHECK_FAILED, r.code(), r.out() + r.err());
            assertTrue(r.out().contains("FAILED gemm f64 NN 1x1x1"), r.out());
            assertTrue(r.out().contains("checks FAILED"), r.out());
        } finally {
            Emu.reset();
        }
    }

    @Test
    void failsNamingTheCheckWhenDeviceMemoryLeaks() {
        io.github.tangent4j.backend.TestBackends.requireEmu();
        try {
            Emu.reset();
            Emu.leakNextFree();   // the next cudaFree succeeds but keeps the memory
            CliTest.Result r = CliTest.run("selftest", "--backend", "cuda", "--quick");
            assertEquals(SelftestCommand.CHECK_FAILED, r.code(), r.out() + r.err());
            assertTrue(r.out().contains("FAILED device memory returned after close: 256 bytes not returned"), r.out());
        } finally {
            Emu.reset();
        }
    }
}
