package io.promptune.localmodel;

import io.promptune.localmodel.sampling.SamplingParams;

import java.util.List;
import java.util.Objects;

/**
 * One generation: a prompt (token ids, or text that is tokenized with special tokens parsed and BOS
 * added as the vocabulary says), how to sample, a token limit and stop sequences.
 */
public record GenerationRequest(int[] promptTokens, String promptText, SamplingParams sampling, int maxTokens,
                                List<String> stop) {
    public GenerationRequest {
        if ((promptTokens == null) == (promptText == null)) throw new IllegalArgumentException("give either prompt tokens or prompt text");
        Objects.requireNonNull(sampling, "sampling");
        if (maxTokens < 0) throw new IllegalArgumentException("max tokens must be >= 0, got " + maxTokens);
        stop = List.copyOf(stop);
        for (String s : stop) if (s.isEmpty()) throw new IllegalArgumentException("empty stop sequence");
    }

    /** A text prompt with greedy sampling, 256 tokens at most and no stop sequences. */
    public static GenerationRequest ofText(String prompt) {
        return new GenerationRequest(null, prompt, SamplingParams.greedy(), 256, List.of());
    }

    public static GenerationRequest ofTokens(int[] prompt) {
        return new GenerationRequest(prompt.clone(), null, SamplingParams.greedy(), 256, List.of());
    }

    public GenerationRequest withSampling(SamplingParams s) {
        return new GenerationRequest(promptTokens, promptText, s, maxTokens, stop);
    }

    public GenerationRequest withMaxTokens(int n) {
        return new GenerationRequest(promptTokens, promptText, sampling, n, stop);
    }

    public GenerationRequest withStop(List<String> s) {
        return new GenerationRequest(promptTokens, promptText, sampling, maxTokens, s);
    }
}
