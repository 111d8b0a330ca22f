package io.promptune.providers;

import java.util.Objects;

/** One chat turn. Role is "system", "user" or "assistant". */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static ChatMessage system(String text) { return new ChatMessage("system", text); }
    public static ChatMessage user(String text) { return new ChatMessage("user", text); }
    public static ChatMessage assistant(String text) { return new ChatMessage("assistant", text); }
}
