package io.github.tangent4j.cli;

import picocli.CommandLine.IVersionProvider;

/** The version line of {@code tangent4j --version}: the library and the Java runtime. */
public final class Versions implements IVersionProvider {
    /** Used by picocli. */
    public Versions() {
    }

    /** The library version from the jar manifest, or "dev" when run from classes. */
    static String library() {
        String v = Versions.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"tangent4j " + library(), "Java " + Runtime.version() + " ("
                + System.getProperty("java.vm.vendor") + ")"};
    }
}
