package io.promptune.evaluators;

import io.promptune.datasets.Example;

import java.util.Map;

/** 1 if the normalized output equals any normalized reference. Default normalization: trim and squeeze whitespace. */
public final class ExactMatch implements Metric {
    private final TextNormalizer normalizer;

    public ExactMatch() {
        this(TextNormalizer.TRIM);
    }

    public ExactMatch(TextNormalizer normalizer) {
        this.normalizer = normalizer;
    }

    @Override
    public String name() {
        return "exact_match";
    }

    @Override
    public Score score(String output, Example example) {
        String out = normalizer.apply(output);
        for (String ref : References.of(example, name())) {
            if (out.equals(normalizer.apply(ref))) return new Score(1, Map.of("matched", ref));
        }
        return new Score(0, Map.of("normalized_output", out));
    }
}
