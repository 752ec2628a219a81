package io.github.tangent4j.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link java.nio.file.Path} input option whose reader takes {@code -} for a {@code .npy} on
 * standard input ({@link DataOptions#readNpy}); {@link FileOptions#check} refuses {@code -} on every other
 * option, naming it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
@interface StandardInput {
}
