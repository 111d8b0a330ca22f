package io.promptune.localmodel;

/**
 * The outcome of one generation.
 *
 * @param text             the completion (without a matched stop sequence or the end token)
 * @param tokens           the generated token ids kept (the end token excluded)
 * @param promptTokens     tokens in the prompt
 * @param reusedTokens     prompt tokens whose keys and values came from the prefix cache
 * @param promptNanos      time spent processing the prompt (prompts of one batch run together: each is charged
 *                         its share of their time, by tokens, so the shares add up to the time spent)
 * @param generationNanos  time spent generating
 */
public record GenerationResult(String text, int[] tokens, FinishReason finishReason, int promptTokens,
                               int reusedTokens, long promptNanos, long generationNanos) {
    public int generatedTokens() { return tokens.length; }
}
