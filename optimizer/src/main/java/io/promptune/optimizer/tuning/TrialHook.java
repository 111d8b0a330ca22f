package io.promptune.optimizer.tuning;

import io.promptune.optimizer.Study;
import io.promptune.optimizer.Trial;

/**
 * Lets a search extension act between trials: see each finished trial with its per-example results
 * (outputs, scores), and change the study before the next one is asked for (e.g. add proposed
 * instructions to a categorical parameter and queue them). Called on the tuning thread.
 */
public interface TrialHook {
    /** Before each trial is asked for (also before the first). */
    default void beforeTrial(Study study) { }

    /** After a trial finished; {@code evaluation} holds the examples it ran (fewer when pruned). */
    default void afterTrial(Study study, Trial done, Evaluation evaluation) { }
}
