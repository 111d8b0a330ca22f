package io.promptune.datasets;

import java.util.List;

/**
 * A template filled in for one example: chat messages, or one raw completion prompt (exactly one of
 * the two). Callers turn it into a model request (the providers module's CompletionRequest).
 */
public record RenderedPrompt(List<PromptMessage> messages, String raw) {
    public RenderedPrompt {
        messages = messages == null ? List.of() : List.copyOf(messages);
        if (messages.isEmpty() == (raw == null)) throw new IllegalArgumentException("either chat messages or a raw prompt");
    }

    public boolean isChat() {
        return raw == null;
    }
}
