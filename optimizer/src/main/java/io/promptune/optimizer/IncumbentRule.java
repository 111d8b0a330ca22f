package io.promptune.optimizer;

/** How the best trial is chosen when scores are noisy. */
public enum IncumbentRule {
    /** The best value, ignoring noise. */
    BEST_VALUE,
    /**
     * The best one-standard-error pessimistic bound (mean - se when maximising, mean + se when
     * minimising); trials without a standard error count at face value.
     */
    LOWER_CONFIDENCE_BOUND
}
