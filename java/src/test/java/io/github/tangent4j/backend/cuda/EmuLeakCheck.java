package io.github.tangent4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For test classes that drive the emulated device directly: skips each test where the emulation is not
 * built, resets its injected failures and counters before and after, and fails a test that leaves device
 * allocations, CUDA handles, pinned host memory or cached pool blocks behind.
 */
final class EmuLeakCheck implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(EmuLeakCheck.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        io.github.tangent4j.backend.TestBackends.requireEmu();
        Emu.reset();
        context.getStore(NS).put("allocations", Emu.liveAllocations());
        context.getStore(NS).put("handles", Emu.liveHandles());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (Emu.available()) {
            Emu.reset();
            assertEquals(context.getStore(NS).get("allocations", Integer.class), Emu.liveAllocations(),
                    "device allocations leaked");
            assertEquals(context.getStore(NS).get("handles", Integer.class), Emu.liveHandles(), "CUDA handles leaked");
            assertEquals(0, Emu.liveHostAllocations(), "pinned host memory leaked");
            assertEquals(0, Emu.poolCachedBlocks(), "blocks left cached in the memory pool");
        }
    }
}
