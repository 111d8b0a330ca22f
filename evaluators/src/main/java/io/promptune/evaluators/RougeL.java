package io.promptune.evaluators;

import io.promptune.datasets.Example;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ROUGE-L F-measure as Google's rouge-score computes it (RougeScorer(["rougeL"]), no stemmer):
 * lowercase, every run of characters other than a-z and 0-9 becomes a space (so non-ASCII letters are
 * dropped, as there), longest common subsequence of tokens, F = 2PR/(P+R). With several references
 * the best F counts (score_multi).
 */
public final class RougeL implements Metric {
    @Override
    public String name() {
        return "rouge_l";
    }

    @Override
    public Score score(String output, Example example) {
        double best = 0, p = 0, r = 0;
        for (String ref : References.of(example, name())) {
            double[] prf = prf(ref, output);
            if (prf[2] > best || best == 0) {
                best = prf[2];
                p = prf[0];
                r = prf[1];
            }
        }
        return new Score(best, Map.of("precision", p, "recall", r));
    }

    /** rouge-score's tokenizer. */
    public static List<String> tokenize(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                cur.append(c);
            } else if (!cur.isEmpty()) {
                out.add(cur.toString());
                cur.setLength(0);
            }
        }
        if (!cur.isEmpty()) out.add(cur.toString());
        return out;
    }

    /** [precision, recall, f] of a prediction against a target. */
    public static double[] prf(String target, String prediction) {
        List<String> t = tokenize(target), p = tokenize(prediction);
        if (t.isEmpty() || p.isEmpty()) return new double[]{0, 0, 0};
        int lcs = lcs(t, p);
        double precision = (double) lcs / p.size(), recall = (double) lcs / t.size();
        double f = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
        return new double[]{precision, recall, f};
    }

    /** Length of the longest common subsequence, two rows of the table at a time. */
    static int lcs(List<String> a, List<String> b) {
        int[] prev = new int[b.size() + 1], cur = new int[b.size() + 1];
        for (int i = 1; i <= a.size(); i++) {
            for (int j = 1; j <= b.size(); j++) {
                cur[j] = a.get(i - 1).equals(b.get(j - 1)) ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.size()];
    }
}
