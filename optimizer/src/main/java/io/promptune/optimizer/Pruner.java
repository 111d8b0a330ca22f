package io.promptune.optimizer;

import java.util.List;

/** Decides whether a running trial should stop early, from its intermediate reports and the history. */
public interface Pruner {
    /**
     * @param running the running trial with its intermediate values and per-example scores so far
     * @param history all trials of the study (finished ones are what it is compared with)
     * @param direction the direction of the first objective
     */
    boolean shouldPrune(Trial running, List<Trial> history, Direction direction);

    Pruner NONE = (running, history, direction) -> false;
}
