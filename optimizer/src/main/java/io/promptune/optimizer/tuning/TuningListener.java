package io.promptune.optimizer.tuning;

/** Receives a run's progress. Called on the tuning thread: keep it quick. */
public interface TuningListener {
    default void onProgress(TuningProgress progress) { }

    default void onTrialFinished(io.promptune.optimizer.Trial trial, TuningProgress progress) { }

    /** A phase change or notice, e.g. "resuming: 7 trials already done", "re-scoring on the held-out split". */
    default void onMessage(String message) { }
}
