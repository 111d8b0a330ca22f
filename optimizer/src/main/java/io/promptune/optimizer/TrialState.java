package io.promptune.optimizer;

/** Life cycle of a trial: WAITING (enqueued) -> RUNNING -> COMPLETE, PRUNED or FAILED. */
public enum TrialState {
    WAITING, RUNNING, COMPLETE, PRUNED, FAILED;

    public boolean isFinished() {
        return this == COMPLETE || this == PRUNED || this == FAILED;
    }
}
