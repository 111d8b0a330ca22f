package io.promptune.optimizer;

/** Whether an objective is to be made small (cost, loss, tokens) or large (accuracy). */
public enum Direction {
    MINIMIZE, MAXIMIZE;

    /** Parses "minimize"/"min"/"maximize"/"max" (any case). */
    public static Direction parse(String s) {
        return switch (s == null ? "" : s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "minimize", "min" -> MINIMIZE;
            case "maximize", "max" -> MAXIMIZE;
            default -> throw new IllegalArgumentException("direction must be 'minimize' or 'maximize', got '" + s + "'");
        };
    }

    /** Turns a value into a loss (smaller is better) for this direction. */
    public double toLoss(double value) {
        return this == MINIMIZE ? value : -value;
    }

    public boolean better(double a, double b) {
        return this == MINIMIZE ? a < b : a > b;
    }
}
