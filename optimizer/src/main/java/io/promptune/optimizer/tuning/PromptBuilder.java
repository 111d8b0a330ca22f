package io.promptune.optimizer.tuning;

import io.promptune.datasets.Example;
import io.promptune.providers.ChatMessage;

import java.util.List;

/** Turns one example (plus few-shot demonstrations) into the chat messages sent to the model. */
public interface PromptBuilder {
    List<ChatMessage> messages(Example example, List<Example> fewShot);

    /** The template's source text, shown in reports and in the copy-pasteable best configuration. */
    String sourceText();
}
