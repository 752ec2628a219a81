package io.github.tangent4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BackendsTest {
    @Test
    void javaIsAlwaysRegisteredAndCreatable() {
        assertTrue(Backends.providers().stream().anyMatch(p -> p.name().equals("java")));
        try (Backend b = Backends.create("java")) {
            assertEquals("java", b.name());
        }
    }

    @Test
    void forcedChoiceThroughThePropertyIsHonoured() {
        String old = System.getProperty(Backends.PROPERTY);
        System.setProperty(Backends.PROPERTY, "java");
        try {
            Backends.Selection s = Backends.select();
            try (Backend b = s.backend()) {
                assertEquals("java", b.name());
                assertTrue(s.reason().contains("forced"), s.reason());
            }
            System.setProperty(Backends.PROPERTY, "tpu");
            var e = assertThrows(IllegalArgumentException.class, Backends::select);
            assertTrue(e.getMessage().contains("'tpu'") && e.getMessage().contains("java"), e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty(Backends.PROPERTY);
            } else {
                System.setProperty(Backends.PROPERTY, old);
            }
        }
    }
}
