package io.promptune.evaluators;

import java.util.Map;

/** A metric's verdict on one output: a value in [0, 1] and details kept for the report. */
public record Score(double value, Map<String, Object> details) {
    public Score {
        if (Double.isNaN(value) || value < 0 || value > 1) {
            throw new IllegalArgumentException("a score must be in [0, 1], got " + value);
        }
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    public static Score of(double value) {
        return new Score(value, Map.of());
    }

    public static Score of(boolean pass) {
        return new Score(pass ? 1 : 0, Map.of());
    }
}
