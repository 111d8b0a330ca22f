package io.promptune.providers.langchain4j;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;

import java.util.Objects;

/** LangChain4j's common request parameters plus the ones our engine also honours: seed, min_p, repetition penalty. */
public class PromptuneChatRequestParameters extends DefaultChatRequestParameters {
    public static final PromptuneChatRequestParameters EMPTY = builder().build();
    private final Long seed;
    private final Double minP;
    private final Double repetitionPenalty;

    protected PromptuneChatRequestParameters(Builder builder) {
        super(builder);
        this.seed = builder.seed;
        this.minP = builder.minP;
        this.repetitionPenalty = builder.repetitionPenalty;
    }

    public Long seed() {
        return seed;
    }

    public Double minP() {
        return minP;
    }

    public Double repetitionPenalty() {
        return repetitionPenalty;
    }

    @Override
    public PromptuneChatRequestParameters overrideWith(ChatRequestParameters that) {
        return builder().overrideWith(this).overrideWith(that).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PromptuneChatRequestParameters p && super.equals(o) && Objects.equals(seed, p.seed)
                && Objects.equals(minP, p.minP) && Objects.equals(repetitionPenalty, p.repetitionPenalty);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), seed, minP, repetitionPenalty);
    }

    public static class Builder extends DefaultChatRequestParameters.Builder<Builder> {
        private Long seed;
        private Double minP;
        private Double repetitionPenalty;

        @Override
        public Builder overrideWith(ChatRequestParameters parameters) {
            super.overrideWith(parameters);
            if (parameters instanceof PromptuneChatRequestParameters p) {
                if (p.seed != null) seed = p.seed;
                if (p.minP != null) minP = p.minP;
                if (p.repetitionPenalty != null) repetitionPenalty = p.repetitionPenalty;
            }
            return this;
        }

        public Builder seed(Long v) { seed = v; return this; }
        public Builder minP(Double v) { minP = v; return this; }
        public Builder repetitionPenalty(Double v) { repetitionPenalty = v; return this; }

        @Override
        public PromptuneChatRequestParameters build() {
            return new PromptuneChatRequestParameters(this);
        }
    }
}
