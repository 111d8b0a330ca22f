package io.promptune.providers;

/** Tokens read and written by one request (or a sum of many). */
public record TokenUsage(long inputTokens, long outputTokens) {
    public static final TokenUsage ZERO = new TokenUsage(0, 0);

    public long total() { return inputTokens + outputTokens; }

    public TokenUsage plus(TokenUsage o) {
        return new TokenUsage(inputTokens + o.inputTokens, outputTokens + o.outputTokens);
    }
}
