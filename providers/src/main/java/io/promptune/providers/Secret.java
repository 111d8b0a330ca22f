package io.promptune.providers;

import java.util.Map;
import java.util.Objects;

/**
 * An API key. Configs hold only a reference to it ("env:OPENAI_API_KEY"); the value is read from the
 * environment when a model is built and is never printed: {@link #toString()} shows the reference,
 * and {@link #redact(String)} scrubs the value from any text (error bodies, messages) before it is
 * logged or stored.
 */
public final class Secret {
    private static final String ENV_PREFIX = "env:";
    private final String reference;
    private final String value;

    private Secret(String reference, String value) {
        this.reference = reference;
        this.value = value;
    }

    /** Resolves "env:NAME" against the process environment. */
    public static Secret resolve(String reference) {
        return resolve(reference, System.getenv());
    }

    /**
     * Resolves "env:NAME" (or a bare NAME, read as an environment variable) against {@code env}.
     * A literal key is refused: configs are copied into studies and reports, keys must not be.
     */
    public static Secret resolve(String reference, Map<String, String> env) {
        Objects.requireNonNull(reference, "reference");
        String name = reference.startsWith(ENV_PREFIX) ? reference.substring(ENV_PREFIX.length()) : reference;
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("api_key must name an environment variable, e.g. \"env:OPENAI_API_KEY\";"
                    + " a literal key is not accepted in a config (it would be stored with the study)");
        }
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("environment variable " + name + " is not set (api_key: " + ENV_PREFIX + name + ")");
        }
        return new Secret(ENV_PREFIX + name, value.strip());
    }

    /** A secret that is not from the environment (tests, programmatic use). Still never printed. */
    public static Secret of(String value) {
        return new Secret("<literal>", Objects.requireNonNull(value, "value"));
    }

    /** The key itself, for the one place that needs it: the HTTP client building the request header. */
    public String reveal() {
        return value;
    }

    public String reference() {
        return reference;
    }

    /** {@code text} with every occurrence of the key replaced by "[REDACTED]". */
    public String redact(String text) {
        if (text == null || value.isEmpty()) return text;
        return text.replace(value, "[REDACTED]");
    }

    @Override
    public String toString() {
        return "Secret[" + reference + "]";
    }
}
