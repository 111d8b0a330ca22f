package io.promptune.optimizer.tuning;

/**
 * The best configuration against the baseline on the same held-out examples: the mean difference
 * (best minus baseline, in the objective's units), its 95% interval, a two-sided p-value, and the
 * verdict at the 5% level, plus how many examples the best won, lost and tied.
 */
public record HeldOutComparison(Estimate baseline, Estimate best, double difference, double ciLow, double ciHigh,
                               double pValue, boolean significant, int wins, int losses, int ties, String method) {
}
