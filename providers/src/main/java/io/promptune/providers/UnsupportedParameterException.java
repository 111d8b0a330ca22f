package io.promptune.providers;

import java.util.Set;
import java.util.TreeSet;

/** A decoding parameter was named that the backend cannot honour; raised before any request is sent. */
public class UnsupportedParameterException extends IllegalArgumentException {
    private final Set<String> unsupported;

    public UnsupportedParameterException(String modelId, Set<String> unsupported, Set<String> supported) {
        super("model " + modelId + " does not support " + (unsupported.size() == 1 ? "parameter " : "parameters ")
                + String.join(", ", new TreeSet<>(unsupported))
                + "; it supports: " + String.join(", ", new TreeSet<>(supported))
                + ". Remove it from the search space, or allow dropping unsupported parameters (they are then not sent, with a warning).");
        this.unsupported = Set.copyOf(unsupported);
    }

    public Set<String> unsupported() {
        return unsupported;
    }
}
