/**
 * The {@code tangent4j} command: a thin layer over the public API that reads and writes NumPy files.
 */
package io.github.tangent4j.cli;
