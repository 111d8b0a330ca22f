package io.promptune.optimizer.tuning;

import java.util.List;
import java.util.Map;

/**
 * What the Tuner needs from a study: persisted trials (to resume and to report), enqueued
 * configurations (the baseline is trial 0), the next trial to run, and its outcome.
 * Every call that changes the study is persisted before it returns.
 */
public interface StudyPort extends AutoCloseable {
    /** A trial being run: its parameters and the racing hooks. */
    interface Session {
        int number();

        Map<String, Object> params();

        /** Records the running objective after {@code step} examples. */
        void reportIntermediate(int step, double value);

        /** True when the pruner says this trial cannot beat the best so far. */
        boolean shouldPrune();
    }

    String name();

    List<TrialRow> trials();

    void enqueue(Map<String, Object> params);

    /** The next trial: an interrupted one first (same number, same params), then enqueued ones, then sampled. */
    Session ask();

    void tell(Session trial, TrialRow.State state, Double value, Map<String, Object> attrs);

    @Override
    default void close() { }
}
