package io.promptune.providers;

import java.util.List;

/**
 * One request: either chat messages (rendered with the model's chat template, or sent as chat to a
 * remote API) or a raw completion prompt. {@code sampleIndex} tells repeated samples of the same
 * request apart, so a response cache keeps repeats as repeats when sampling without a seed.
 */
public record CompletionRequest(List<ChatMessage> messages, String rawPrompt, DecodingParams params, int sampleIndex) {
    public CompletionRequest {
        if ((messages == null || messages.isEmpty()) == (rawPrompt == null)) {
            throw new IllegalArgumentException("a request has either chat messages or a raw prompt, not both or neither");
        }
        messages = messages == null ? List.of() : List.copyOf(messages);
        params = params == null ? DecodingParams.defaults() : params;
    }

    public static CompletionRequest chat(List<ChatMessage> messages, DecodingParams params) {
        return new CompletionRequest(messages, null, params, 0);
    }

    public static CompletionRequest raw(String prompt, DecodingParams params) {
        return new CompletionRequest(null, prompt, params, 0);
    }

    public boolean isChat() {
        return rawPrompt == null;
    }

    public CompletionRequest withSampleIndex(int index) {
        return new CompletionRequest(isChat() ? messages : null, rawPrompt, params, index);
    }
}
