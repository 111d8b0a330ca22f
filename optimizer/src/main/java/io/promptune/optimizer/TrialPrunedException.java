package io.promptune.optimizer;

/** Thrown by an objective to stop a trial that the pruner judged hopeless. */
public class TrialPrunedException extends RuntimeException {
    public TrialPrunedException() {
        super("pruned", null, false, false);
    }

    public TrialPrunedException(String message) {
        super(message, null, false, false);
    }
}
