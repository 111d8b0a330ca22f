package io.promptune.evaluators;

/** A mean with a confidence interval [low, high] at the given level, over n values. */
public record Estimate(double mean, double low, double high, int n, double confidence) {
    public double halfWidth() {
        return (high - low) / 2;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%.4f [%.4f, %.4f] (n=%d, %.0f%%)", mean, low, high, n, confidence * 100);
    }
}
