package io.promptune.providers;

import java.time.Duration;

/**
 * The result of one request: the text, why it ended, what it cost in tokens, time and money, and
 * whether it came from the response cache. A failed request has finish reason ERROR and a message.
 */
public record Completion(String text, FinishReason finishReason, TokenUsage usage, Duration latency,
                         double costUsd, boolean cached, String error) {
    public Completion {
        text = text == null ? "" : text;
        usage = usage == null ? TokenUsage.ZERO : usage;
        latency = latency == null ? Duration.ZERO : latency;
    }

    public static Completion failed(String error, Duration latency) {
        return new Completion("", FinishReason.ERROR, TokenUsage.ZERO, latency, 0, false, error);
    }

    public boolean isError() {
        return finishReason == FinishReason.ERROR;
    }

    public Completion asCached() {
        return new Completion(text, finishReason, usage, Duration.ZERO, 0, true, error);
    }
}
