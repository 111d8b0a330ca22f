package io.promptune.evaluators;

import io.promptune.datasets.Example;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SQuAD token F1: normalize (lowercase, drop punctuation and articles, squeeze spaces), split on
 * whitespace, F1 of the bag-of-tokens overlap; the best over references. If either side has no
 * tokens, the score is 1 when both have none and 0 otherwise (SQuAD v2 rule).
 */
public final class TokenF1 implements Metric {
    private final TextNormalizer normalizer;

    public TokenF1() {
        this(TextNormalizer.SQUAD);
    }

    public TokenF1(TextNormalizer normalizer) {
        this.normalizer = normalizer;
    }

    @Override
    public String name() {
        return "f1";
    }

    @Override
    public Score score(String output, Example example) {
        double best = 0;
        for (String ref : References.of(example, name())) best = Math.max(best, f1(output, ref));
        return Score.of(best);
    }

    public double f1(String prediction, String reference) {
        List<String> p = PyText.split(normalizer.apply(prediction)), g = PyText.split(normalizer.apply(reference));
        if (p.isEmpty() || g.isEmpty()) return p.equals(g) ? 1 : 0;
        Map<String, Integer> counts = new HashMap<>();
        for (String t : g) counts.merge(t, 1, Integer::sum);
        int same = 0;
        for (String t : p) {
            Integer c = counts.get(t);
            if (c != null && c > 0) {
                same++;
                counts.put(t, c - 1);
            }
        }
        if (same == 0) return 0;
        double precision = (double) same / p.size(), recall = (double) same / g.size();
        return 2 * precision * recall / (precision + recall);
    }
}
