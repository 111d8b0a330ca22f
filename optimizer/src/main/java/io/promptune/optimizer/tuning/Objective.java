package io.promptune.optimizer.tuning;

/** The metric a run optimizes and in which direction. Metrics score in [0, 1], so most runs maximize. */
public record Objective(String metric, boolean maximize) {
    public static Objective maximize(String metric) { return new Objective(metric, true); }
    public static Objective minimize(String metric) { return new Objective(metric, false); }

    /** True when a is strictly better than b in this objective's direction. */
    public boolean better(double a, double b) {
        return maximize ? a > b : a < b;
    }
}
