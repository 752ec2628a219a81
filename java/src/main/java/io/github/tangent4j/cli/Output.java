package io.github.tangent4j.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link java.nio.file.Path} option that the command writes. Every other {@code Path} option is
 * an input: before the command runs, {@link FileOptions#check} checks that each input is a readable
 * regular file and that each output can be replaced through {@link OutputFile} without touching an input.
 * Write a marked file through {@link OutputFile#write} only.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
@interface Output {
    /** True for a folder the command fills (checked only to be a directory or a new name). */
    boolean folder() default false;

    /** True for a file the command writes only when asked; otherwise the option is required. */
    boolean optional() default false;
}
