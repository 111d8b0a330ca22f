package io.promptune.optimizer;

/** Thrown by an objective to fail a trial with a reason meant for people (recorded as is). */
public class TrialFailedException extends Exception {
    public TrialFailedException(String reason) {
        super(reason, null, false, false);
    }
}
