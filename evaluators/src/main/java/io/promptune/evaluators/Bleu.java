package io.promptune.evaluators;

import io.promptune.datasets.Example;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * BLEU as sacreBLEU 2.x computes it: the 13a tokenizer (mteval-v13a), clipped n-gram matches up to 4
 * against the best of several references, brevity penalty from the closest reference length.
 * Sentence BLEU uses smoothing 'exp' and effective order, like {@code sacrebleu.sentence_bleu};
 * corpus BLEU sums the statistics over all segments first, like {@code sacrebleu.corpus_bleu}.
 * A Score is BLEU / 100.
 */
public final class Bleu implements Metric {
    public enum Smoothing { NONE, FLOOR, ADD_K, EXP }

    private static final int MAX_ORDER = 4;
    private static final Pattern P1 = Pattern.compile("([\\{-~\\[-` -&\\(-\\+:-@/])");
    private static final Pattern P2 = Pattern.compile("([^0-9])([\\.,])");
    private static final Pattern P3 = Pattern.compile("([\\.,])([^0-9])");
    private static final Pattern P4 = Pattern.compile("([0-9])(-)");

    private final boolean lowercase;
    private final Smoothing smoothing;
    private final double smoothValue;
    private final boolean tokenize;

    public Bleu() {
        this(false, Smoothing.EXP, Double.NaN, true);
    }

    /** @param smoothValue for FLOOR (default 0.1) and ADD_K (default 1); NaN for the default */
    public Bleu(boolean lowercase, Smoothing smoothing, double smoothValue, boolean tokenize) {
        this.lowercase = lowercase;
        this.smoothing = smoothing;
        this.smoothValue = Double.isNaN(smoothValue) ? (smoothing == Smoothing.FLOOR ? 0.1 : 1) : smoothValue;
        this.tokenize = tokenize;
    }

    @Override
    public String name() {
        return "bleu";
    }

    @Override
    public Score score(String output, Example example) {
        Result r = sentence(output, References.of(example, name()));
        return new Score(Math.min(1, r.score() / 100), Map.of("bleu", r.score(), "bp", r.bp(), "precisions", r.precisions()));
    }

    /** The 13a tokenizer: returns the tokenized line (tokens joined by single spaces). */
    public static String tokenize13a(String line) {
        line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ");
        if (line.indexOf('&') >= 0) {
            line = line.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
        }
        line = " " + line + " ";
        line = P1.matcher(line).replaceAll(" $1 ");
        line = P2.matcher(line).replaceAll("$1 $2 ");
        line = P3.matcher(line).replaceAll(" $1 $2");
        line = P4.matcher(line).replaceAll("$1 $2 ");
        return String.join(" ", PyText.split(line));
    }

    /** The BLEU of one hypothesis against its references (sacrebleu.sentence_bleu defaults). */
    public Result sentence(String hypothesis, List<String> references) {
        return compute(stats(hypothesis, references), true);
    }

    /** Corpus BLEU: statistics summed over segments (sacrebleu.corpus_bleu defaults: smoothing as set, no effective order). */
    public Result corpus(List<String> hypotheses, List<List<String>> references) {
        if (hypotheses.size() != references.size()) throw new IllegalArgumentException("hypotheses and references differ in number");
        long[] sum = new long[2 + 2 * MAX_ORDER];
        for (int i = 0; i < hypotheses.size(); i++) {
            long[] s = stats(hypotheses.get(i), references.get(i));
            for (int k = 0; k < sum.length; k++) sum[k] += s[k];
        }
        return compute(sum, false);
    }

    /** BLEU in [0, 100] with its parts. */
    public record Result(double score, double bp, List<Double> precisions, long sysLen, long refLen) { }

    private String prep(String s) {
        if (lowercase) s = s.toLowerCase(java.util.Locale.ROOT);
        s = PyText.rstrip(s);
        return tokenize ? tokenize13a(s) : s;
    }

    /** [hypLen, refLen, correct 1..4, total 1..4] as sacreBLEU's segment statistics. */
    private long[] stats(String hypothesis, List<String> references) {
        if (references.isEmpty()) throw new IllegalArgumentException("BLEU needs at least one reference");
        Map<List<String>, Integer> refMax = new HashMap<>();
        List<Integer> refLens = new ArrayList<>();
        for (String ref : references) {
            List<String> toks = PyText.split(prep(ref));
            refLens.add(toks.size());
            for (Map.Entry<List<String>, Integer> e : ngrams(toks).entrySet()) refMax.merge(e.getKey(), e.getValue(), Math::max);
        }
        List<String> hyp = PyText.split(prep(hypothesis));
        int hypLen = hyp.size();
        int closestDiff = -1, closest = -1;
        for (int len : refLens) {
            int diff = Math.abs(hypLen - len);
            if (closestDiff == -1 || diff < closestDiff) {
                closestDiff = diff;
                closest = len;
            } else if (diff == closestDiff && len < closest) {
                closest = len;
            }
        }
        long[] s = new long[2 + 2 * MAX_ORDER];
        s[0] = hypLen;
        s[1] = closest;
        for (Map.Entry<List<String>, Integer> e : ngrams(hyp).entrySet()) {
            int n = e.getKey().size() - 1;
            s[2 + MAX_ORDER + n] += e.getValue();
            Integer r = refMax.get(e.getKey());
            if (r != null) s[2 + n] += Math.min(e.getValue(), r);
        }
        return s;
    }

    private static Map<List<String>, Integer> ngrams(List<String> toks) {
        Map<List<String>, Integer> m = new HashMap<>();
        for (int n = 1; n <= MAX_ORDER; n++) {
            for (int i = 0; i + n <= toks.size(); i++) m.merge(List.copyOf(toks.subList(i, i + n)), 1, Integer::sum);
        }
        return m;
    }

    private Result compute(long[] s, boolean effectiveOrder) {
        long sysLen = s[0], refLen = s[1];
        double[] correct = new double[MAX_ORDER], total = new double[MAX_ORDER];
        for (int n = 0; n < MAX_ORDER; n++) {
            correct[n] = s[2 + n];
            total[n] = s[2 + MAX_ORDER + n];
        }
        double bp = 1.0;
        if (sysLen < refLen) bp = sysLen > 0 ? Math.exp(1 - (double) refLen / sysLen) : 0.0;
        double[] prec = new double[MAX_ORDER];
        boolean anyCorrect = false;
        for (double c : correct) anyCorrect |= c != 0;
        if (!anyCorrect) return new Result(0, bp, toList(prec), sysLen, refLen);
        double smoothMteval = 1;
        int effOrder = MAX_ORDER;
        for (int n = 1; n <= MAX_ORDER; n++) {
            if (smoothing == Smoothing.ADD_K && n > 1) {
                correct[n - 1] += smoothValue;
                total[n - 1] += smoothValue;
            }
            if (total[n - 1] == 0) break;
            if (effectiveOrder) effOrder = n;
            if (correct[n - 1] == 0) {
                if (smoothing == Smoothing.EXP) {
                    smoothMteval *= 2;
                    prec[n - 1] = 100.0 / (smoothMteval * total[n - 1]);
                } else if (smoothing == Smoothing.FLOOR) {
                    prec[n - 1] = 100.0 * smoothValue / total[n - 1];
                }
            } else {
                prec[n - 1] = 100.0 * correct[n - 1] / total[n - 1];
            }
        }
        double logSum = 0;
        for (int i = 0; i < effOrder; i++) logSum += prec[i] == 0 ? -9999999999.0 : Math.log(prec[i]);
        return new Result(bp * Math.exp(logSum / effOrder), bp, toList(prec), sysLen, refLen);
    }

    private static List<Double> toList(double[] a) {
        List<Double> l = new ArrayList<>();
        for (double d : a) l.add(d);
        return l;
    }
}
