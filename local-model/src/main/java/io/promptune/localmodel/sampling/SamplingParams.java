package io.promptune.localmodel.sampling;

/**
 * How the next token is chosen. Defaults follow llama.cpp's: temperature 0.8, top-k 40, top-p 0.95,
 * min-p 0.05, no repetition penalty (1.0) over the last 64 tokens, no frequency/presence penalty.
 * A temperature of 0 (or below) means greedy: the most likely token after penalties.
 *
 * @param topK            keep the k most likely tokens (0 = off)
 * @param topP            keep the smallest set whose probability reaches p (1 = off)
 * @param minP            drop tokens less likely than minP times the most likely one (0 = off)
 * @param repeatPenalty   divide positive (multiply negative) logits of recently seen tokens (1 = off)
 * @param repeatLastN     how many recent tokens the penalties look at (0 = none, -1 = all)
 * @param seed            random seed; the same seed gives the same output. Null draws a random seed.
 */
public record SamplingParams(double temperature, int topK, double topP, double minP, double repeatPenalty,
                             int repeatLastN, double frequencyPenalty, double presencePenalty, Long seed) {

    public SamplingParams {
        if (Double.isNaN(temperature)) throw new IllegalArgumentException("temperature is NaN");
        if (topK < 0) throw new IllegalArgumentException("top-k must be >= 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        if (!(minP >= 0 && minP <= 1)) throw new IllegalArgumentException("min-p must be in [0, 1], got " + minP);
        if (!(repeatPenalty > 0)) throw new IllegalArgumentException("repeat penalty must be > 0, got " + repeatPenalty);
        if (repeatLastN < -1) throw new IllegalArgumentException("repeat-last-n must be >= -1, got " + repeatLastN);
    }

    /** llama.cpp's default sampling. */
    public static SamplingParams defaults() {
        return new SamplingParams(0.8, 40, 0.95, 0.05, 1.0, 64, 0, 0, null);
    }

    /** Always the most likely token. */
    public static SamplingParams greedy() {
        return defaults().withTemperature(0);
    }

    public boolean isGreedy() { return temperature <= 0; }

    public SamplingParams withTemperature(double t) {
        return new SamplingParams(t, topK, topP, minP, repeatPenalty, repeatLastN, frequencyPenalty, presencePenalty, seed);
    }

    public SamplingParams withTopK(int k) {
        return new SamplingParams(temperature, k, topP, minP, repeatPenalty, repeatLastN, frequencyPenalty, presencePenalty, seed);
    }

    public SamplingParams withTopP(double p) {
        return new SamplingParams(temperature, topK, p, minP, repeatPenalty, repeatLastN, frequencyPenalty, presencePenalty, seed);
    }

    public SamplingParams withMinP(double p) {
        return new SamplingParams(temperature, topK, topP, p, repeatPenalty, repeatLastN, frequencyPenalty, presencePenalty, seed);
    }

    public SamplingParams withRepeatPenalty(double penalty, int lastN) {
        return new SamplingParams(temperature, topK, topP, minP, penalty, lastN, frequencyPenalty, presencePenalty, seed);
    }

    public SamplingParams withFrequencyPenalty(double f) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, f, presencePenalty, seed);
    }

    public SamplingParams withPresencePenalty(double p) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, frequencyPenalty, p, seed);
    }

    public SamplingParams withSeed(Long s) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, frequencyPenalty, presencePenalty, s);
    }
}
