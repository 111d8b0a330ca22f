package io.promptune.providers;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decoding parameters for one request. A null field means "the backend's default"; a backend that
 * cannot honour a set field says so up front (see {@link LanguageModel#supportedParameters()}).
 */
public record DecodingParams(
        Double temperature,
        Integer topK,
        Double topP,
        Double minP,
        Double repetitionPenalty,
        Double frequencyPenalty,
        Double presencePenalty,
        Integer maxTokens,
        List<String> stop,
        Long seed) {

    /** Parameter names as used in search spaces, configs and error messages. */
    public static final String TEMPERATURE = "temperature", TOP_K = "top_k", TOP_P = "top_p", MIN_P = "min_p",
            REPETITION_PENALTY = "repetition_penalty", FREQUENCY_PENALTY = "frequency_penalty",
            PRESENCE_PENALTY = "presence_penalty", MAX_TOKENS = "max_tokens", STOP = "stop", SEED = "seed";

    /** Every decoding parameter name, in a stable order. */
    public static final java.util.List<String> NAMES = java.util.List.of(TEMPERATURE, TOP_K, TOP_P, MIN_P,
            REPETITION_PENALTY, FREQUENCY_PENALTY, PRESENCE_PENALTY, MAX_TOKENS, STOP, SEED);

    public DecodingParams {
        stop = stop == null ? List.of() : List.copyOf(stop);
    }

    public static DecodingParams defaults() {
        return new DecodingParams(null, null, null, null, null, null, null, null, List.of(), null);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().temperature(temperature).topK(topK).topP(topP).minP(minP)
                .repetitionPenalty(repetitionPenalty).frequencyPenalty(frequencyPenalty)
                .presencePenalty(presencePenalty).maxTokens(maxTokens).stop(stop).seed(seed);
    }

    /** The names of the fields that are set (non-null, non-empty stop), for capability checks. */
    public java.util.Set<String> setParameterNames() {
        java.util.Set<String> s = new java.util.LinkedHashSet<>();
        if (temperature != null) s.add(TEMPERATURE);
        if (topK != null) s.add(TOP_K);
        if (topP != null) s.add(TOP_P);
        if (minP != null) s.add(MIN_P);
        if (repetitionPenalty != null) s.add(REPETITION_PENALTY);
        if (frequencyPenalty != null) s.add(FREQUENCY_PENALTY);
        if (presencePenalty != null) s.add(PRESENCE_PENALTY);
        if (maxTokens != null) s.add(MAX_TOKENS);
        if (!stop.isEmpty()) s.add(STOP);
        if (seed != null) s.add(SEED);
        return s;
    }

    /** A copy with the named parameters unset (back to the backend's default). */
    public DecodingParams without(java.util.Set<String> names) {
        Builder b = toBuilder();
        for (String n : names) {
            switch (n) {
                case TEMPERATURE -> b.temperature(null);
                case TOP_K -> b.topK(null);
                case TOP_P -> b.topP(null);
                case MIN_P -> b.minP(null);
                case REPETITION_PENALTY -> b.repetitionPenalty(null);
                case FREQUENCY_PENALTY -> b.frequencyPenalty(null);
                case PRESENCE_PENALTY -> b.presencePenalty(null);
                case MAX_TOKENS -> b.maxTokens(null);
                case STOP -> b.stop(List.of());
                case SEED -> b.seed(null);
                default -> { }
            }
        }
        return b.build();
    }

    /**
     * Builds params from a flat map such as a trial's parameters ("temperature" -> 0.7, "stop" -> ["\n"]).
     * Keys that are not decoding parameters are ignored; a value of the wrong type is an
     * IllegalArgumentException naming the key.
     */
    public static DecodingParams fromMap(Map<String, ?> values) {
        Builder b = builder();
        for (Map.Entry<String, ?> e : values.entrySet()) {
            Object v = e.getValue();
            if (v == null) continue;
            try {
                switch (e.getKey()) {
                    case TEMPERATURE -> b.temperature(((Number) v).doubleValue());
                    case TOP_K -> b.topK(((Number) v).intValue());
                    case TOP_P -> b.topP(((Number) v).doubleValue());
                    case MIN_P -> b.minP(((Number) v).doubleValue());
                    case REPETITION_PENALTY -> b.repetitionPenalty(((Number) v).doubleValue());
                    case FREQUENCY_PENALTY -> b.frequencyPenalty(((Number) v).doubleValue());
                    case PRESENCE_PENALTY -> b.presencePenalty(((Number) v).doubleValue());
                    case MAX_TOKENS -> b.maxTokens(((Number) v).intValue());
                    case SEED -> b.seed(((Number) v).longValue());
                    case STOP -> b.stop(v instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of(String.valueOf(v)));
                    default -> { }
                }
            } catch (ClassCastException ex) {
                throw new IllegalArgumentException("parameter '" + e.getKey() + "' should be a number, got " + v);
            }
        }
        return b.build();
    }

    public static final class Builder {
        private Double temperature, topP, minP, repetitionPenalty, frequencyPenalty, presencePenalty;
        private Integer topK, maxTokens;
        private List<String> stop = List.of();
        private Long seed;

        public Builder temperature(Double v) { temperature = v; return this; }
        public Builder topK(Integer v) { topK = v; return this; }
        public Builder topP(Double v) { topP = v; return this; }
        public Builder minP(Double v) { minP = v; return this; }
        public Builder repetitionPenalty(Double v) { repetitionPenalty = v; return this; }
        public Builder frequencyPenalty(Double v) { frequencyPenalty = v; return this; }
        public Builder presencePenalty(Double v) { presencePenalty = v; return this; }
        public Builder maxTokens(Integer v) { maxTokens = v; return this; }
        public Builder stop(List<String> v) { stop = Objects.requireNonNullElse(v, List.of()); return this; }
        public Builder seed(Long v) { seed = v; return this; }

        public DecodingParams build() {
            return new DecodingParams(temperature, topK, topP, minP, repetitionPenalty, frequencyPenalty,
                    presencePenalty, maxTokens, stop, seed);
        }
    }
}
