package io.promptune.optimizer;

import java.util.List;
import java.util.Map;

/**
 * Proposes the parameters of the next trial from the trials so far. Implementations need not be
 * thread-safe: the study calls them under its lock.
 */
public interface Sampler {
    /**
     * @param space   the study's search space
     * @param history every trial of the study so far, in number order (any state; RUNNING ones are pending)
     * @param context directions, the new trial's number and the study's budget
     * @return a value for every active searchable parameter (fixed ones may be omitted)
     */
    Map<String, Object> sample(SearchSpace space, List<Trial> history, SamplingContext context);

    /** A short name for reports and the command line. */
    String name();
}
