package io.github.tangent4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.cuda.Emu;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code tangent4j selftest --backend cuda} as a process of its own on the emulated device: exit 0 on a
 * healthy device, and exit 1 naming the check when the emulation (armed through its environment,
 * {@code T4J_EMU_CORRUPT_GEMM=1}, {@code T4J_EMU_LEAK_FREE=1}) returns a wrong GEMM result or keeps
 * freed memory.
 */
class SelftestProcessTest {
    @BeforeEach
    void emulation() {
        io.github.tangent4j.backend.TestBackends.requireEmu();
    }

    private static ForkedCliTest.Run selftest(Map<String, String> env) throws Exception {
        var cmd = ForkedCliTest.java("-Dtangent4j.cuda.libs=" + Emu.dir());
        cmd.addAll(java.util.List.of("selftest", "--backend", "cuda", "--quick"));
        return ForkedCliTest.run(cmd, env);
    }

    @Test
    void passesOnAHealthyDevice() throws Exception {
        ForkedCliTest.Run r = selftest(Map.of());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("checks passed"), r.out());
    }

    @Test
    void failsNamingTheCheckOnAWrongGemmResult() throws Exception {
        ForkedCliTest.Run r = selftest(Map.of("T4J_EMU_CORRUPT_GEMM", "1"));
        assertEquals(SelftestCommand.CHECK_FAILED, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("FAILED gemm f64 NN 1x1x1"), r.out());
    }

    @Test
    void failsNamingTheCheckOnALeak() throws Exception {
        ForkedCliTest.Run r = selftest(Map.of("T4J_EMU_LEAK_FREE", "1"));
        assertEquals(SelftestCommand.CHECK_FAILED, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("FAILED device memory returned after close"), r.out());
    }
}
