package io.promptune.datasets;

import java.util.Objects;

/** One rendered chat turn: role "system", "user" or "assistant", and its text. */
public record PromptMessage(String role, String content) {
    public PromptMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }
}
