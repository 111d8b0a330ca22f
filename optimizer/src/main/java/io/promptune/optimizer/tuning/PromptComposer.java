package io.promptune.optimizer.tuning;

import io.promptune.datasets.Example;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.DecodingParams;

/**
 * Builds one example's request from a whole configuration, when the prompt depends on more than the
 * template and a shot count (a searched instruction, which demonstrations, template parts, chat or
 * raw completion). This is the hook prompt search plugs into; without one, the evaluator renders
 * the configuration's template with the first few-shot pool examples.
 */
public interface PromptComposer {
    CompletionRequest compose(Configuration config, Example example, DecodingParams params);
}
