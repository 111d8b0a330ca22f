package io.promptune.evaluators;

import io.promptune.datasets.Example;

import java.util.Map;

/**
 * 1 - distance / max(length), by Unicode code points (an emoji is one edit, not two), best over references.
 * Two empty strings are identical (1).
 */
public final class LevenshteinSimilarity implements Metric {
    private final TextNormalizer normalizer;

    public LevenshteinSimilarity(TextNormalizer normalizer) {
        this.normalizer = normalizer;
    }

    @Override
    public String name() {
        return "levenshtein";
    }

    @Override
    public Score score(String output, Example example) {
        double best = 0;
        int bestDist = -1;
        for (String ref : References.of(example, name())) {
            int[] a = normalizer.apply(output).codePoints().toArray(), b = normalizer.apply(ref).codePoints().toArray();
            int d = distance(a, b);
            double sim = Math.max(a.length, b.length) == 0 ? 1 : 1 - (double) d / Math.max(a.length, b.length);
            if (sim >= best) {
                best = sim;
                bestDist = d;
            }
        }
        return new Score(best, Map.of("distance", bestDist));
    }

    static int distance(int[] a, int[] b) {
        int[] prev = new int[b.length + 1], cur = new int[b.length + 1];
        for (int j = 0; j <= b.length; j++) prev[j] = j;
        for (int i = 1; i <= a.length; i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length; j++) {
                int sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length];
    }
}
