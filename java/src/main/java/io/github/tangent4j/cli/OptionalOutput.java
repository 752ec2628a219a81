package io.github.tangent4j.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Marks a subcommand whose {@link Output} file options may be left out (it prints its result instead). */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@interface OptionalOutput {
}
