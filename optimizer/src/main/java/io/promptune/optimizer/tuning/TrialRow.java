package io.promptune.optimizer.tuning;

import java.time.Instant;
import java.util.Map;

/**
 * One trial as the Tuner and the report see it: what it tried, how it ended, and the attributes the
 * Tuner recorded (per-metric means, standard error, interval, per-example scores, tokens, cost).
 */
public record TrialRow(int number, State state, Map<String, Object> params, Double value,
                       Map<String, Object> attrs, Map<Integer, Double> intermediate, Instant start, Instant end) {
    public enum State { RUNNING, COMPLETE, PRUNED, FAILED }

    public boolean finished() {
        return state != State.RUNNING;
    }
}
