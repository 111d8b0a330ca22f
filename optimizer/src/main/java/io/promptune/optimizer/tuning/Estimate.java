package io.promptune.optimizer.tuning;

/** A mean with its standard error and 95% interval, over n examples. */
public record Estimate(double mean, double standardError, double ciLow, double ciHigh, int n) {
}
