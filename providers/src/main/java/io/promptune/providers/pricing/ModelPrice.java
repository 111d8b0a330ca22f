package io.promptune.providers.pricing;

import io.promptune.providers.TokenUsage;

/** What a model charges, in USD per million input and output tokens. */
public record ModelPrice(double inputPerMillion, double outputPerMillion) {
    public static final ModelPrice FREE = new ModelPrice(0, 0);

    public ModelPrice {
        if (inputPerMillion < 0 || outputPerMillion < 0 || Double.isNaN(inputPerMillion) || Double.isNaN(outputPerMillion)) {
            throw new IllegalArgumentException("prices must be non-negative numbers, got input=" + inputPerMillion
                    + " output=" + outputPerMillion);
        }
    }

    public double costUsd(TokenUsage usage) {
        return usage.inputTokens() * inputPerMillion / 1e6 + usage.outputTokens() * outputPerMillion / 1e6;
    }
}
