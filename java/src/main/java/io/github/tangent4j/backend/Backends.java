package io.github.tangent4j.backend;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * Chooses a backend. {@link #auto()} tries the registered kinds in order of preference (CUDA, then
 * Java) and keeps the first that starts, logging one line with the choice and why the others were
 * passed over. The system property {@code tangent4j.backend} or the environment variable
 * {@code TANGENT4J_BACKEND} ({@code java|cuda|auto}) forces a kind; forcing one that cannot start is
 * an error.
 */
public final class Backends {
    /** System property that forces a backend kind. */
    public static final String PROPERTY = "tangent4j.backend";
    /** Environment variable that forces a backend kind (the property wins). */
    public static final String ENV = "TANGENT4J_BACKEND";

    /**
     * The logger on which the library reports, at INFO, what it chose: the backend (with the whole search) and
     * the Java backend's GEMM provider. A front end that prints its own short summary raises this logger's level
     * to describe the backend quietly; WARNING and above still come through. (A constant, this class's name, so
     * that naming it initialises nothing.)
     */
    public static final String CHOICE_LOGGER = "io.github.tangent4j.backend.Backends";

    private static final System.Logger LOG = System.getLogger(CHOICE_LOGGER);

    private Backends() {
    }

    /**
     * A backend and the reasons it was chosen.
     *
     * @param backend the backend, owned by the caller (close it)
     * @param reason  one line: what was chosen and why each preferred kind was not
     */
    public record Selection(Backend backend, String reason) {
    }

    /** The best backend available here, honouring a forced choice; see the class comment. */
    public static Backend auto() {
        return select().backend();
    }

    /** Like {@link #auto()}, also returning the reason for the choice. */
    public static Selection select() {
        String forced = System.getProperty(PROPERTY);
        String source = "-D" + PROPERTY;
        if (forced == null || forced.isBlank()) {
            forced = System.getenv(ENV);
            source = ENV;
        }
        if (forced != null && !forced.isBlank() && !forced.trim().equalsIgnoreCase("auto")) {
            Backend b;
            try {
                b = create(forced.trim());
            } catch (IllegalArgumentException e) {
                // say where the name came from: the user may not know the variable is set
                throw new IllegalArgumentException(source + "=" + forced.trim() + ": expected java, cuda or auto"
                        + " but was '" + forced.trim() + "'", e);
            }
            return new Selection(b, b.name() + " (forced by " + source + "=" + forced.trim() + ")");
        }
        List<String> skipped = new ArrayList<>();
        for (BackendProvider p : providers()) {
            try {
                Backend b = p.create();
                String reason = b.name() + (skipped.isEmpty() ? "" : " (" + String.join("; ", skipped) + ")");
                LOG.log(Level.INFO, "tangent4j backend: " + reason);
                return new Selection(b, reason);
            } catch (BackendException | LinkageError | UnsupportedOperationException e) {
                skipped.add(p.name() + " unavailable: " + e.getMessage());
            }
        }
        throw new BackendException("no backend could start: " + String.join("; ", skipped));
    }

    /**
     * Creates the named backend ({@code java} or {@code cuda}).
     *
     * @throws IllegalArgumentException for an unknown name
     * @throws BackendException         if it cannot start here, saying why
     */
    public static Backend create(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        List<String> names = new ArrayList<>();
        for (BackendProvider p : providers()) {
            if (p.name().equals(n)) {
                try {
                    return p.create();
                } catch (LinkageError | UnsupportedOperationException e) {
                    throw new BackendException("backend " + n + " cannot start: " + e, e);
                }
            }
            names.add(p.name());
        }
        throw new IllegalArgumentException("backend: expected one of " + names + " or auto but was '" + name + "'");
    }

    /** The registered providers, most preferred first. */
    public static List<BackendProvider> providers() {
        List<BackendProvider> list = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader()).forEach(list::add);
        list.sort(Comparator.comparingInt(BackendProvider::priority).reversed());
        return list;
    }
}
