package io.promptune.evaluators;

import com.fasterxml.jackson.databind.JsonNode;
import io.promptune.datasets.Example;
import io.promptune.providers.ChatMessage;
import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.DecodingParams;
import io.promptune.providers.LanguageModel;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LLM-as-judge: asks any {@link LanguageModel} to grade the output against a rubric (with the
 * example's inputs and reference for context) on a min..max scale, reads the grade from its reply
 * and maps it to [0, 1]. The reply is kept in the details, so a report can show why.
 */
public final class LlmJudge implements Metric {
    private static final Pattern LABELLED = Pattern.compile("(?i)\\b(?:score|rating|grade)\\b\\s*(?:is|of|=|:)?\\s*[*\"']*\\s*(-?\\d+(?:\\.\\d+)?)(?:\\s*(?:/|out of)\\s*(\\d+(?:\\.\\d+)?))?");
    private static final Pattern FRACTION = Pattern.compile("(-?\\d+(?:\\.\\d+)?)\\s*(?:/|out of)\\s*(\\d+(?:\\.\\d+)?)");
    private static final Pattern BARE = Pattern.compile("^\\s*[*\"']*(-?\\d+(?:\\.\\d+)?)[*\"'.]*\\s*$");
    private static final Pattern VERDICT = Pattern.compile("(?i)^\\W*(pass|fail|yes|no)\\b");

    private final LanguageModel judge;
    private final String rubric;
    private final double min, max;
    private final DecodingParams params;

    public LlmJudge(LanguageModel judge, String rubric, double min, double max) {
        if (!(max > min)) throw new IllegalArgumentException("the judge's scale needs max > min, got " + min + ".." + max);
        this.judge = judge;
        this.rubric = rubric;
        this.min = min;
        this.max = max;
        this.params = DecodingParams.builder().temperature(0.0).maxTokens(256).build();
    }

    @Override
    public String name() {
        return "llm_judge";
    }

    @Override
    public Score score(String output, Example example) {
        Completion reply = judge.complete(CompletionRequest.chat(List.of(
                ChatMessage.system("You are a careful, strict grader. You follow the rubric exactly."),
                ChatMessage.user(prompt(output, example))), params));
        if (reply.isError()) throw new IllegalStateException("the judge model " + judge.id() + " failed: " + reply.error());
        OptionalDouble grade = parse(reply.text(), min, max);
        if (grade.isEmpty()) return new Score(0, Map.of("judge_reply", reply.text(), "error", "no score found in the judge's reply"));
        double g = Math.max(min, Math.min(max, grade.getAsDouble()));
        return new Score((g - min) / (max - min), Map.of("judge_reply", reply.text(), "grade", g));
    }

    String prompt(String output, Example example) {
        StringBuilder sb = new StringBuilder("Grade the RESPONSE by this rubric:\n").append(rubric).append("\n\n");
        if (!example.inputs().isEmpty()) {
            sb.append("INPUT:\n");
            example.inputs().forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
            sb.append('\n');
        }
        if (example.reference() != null) sb.append("REFERENCE ANSWER:\n").append(example.reference()).append("\n\n");
        sb.append("RESPONSE:\n").append(output).append("\n\n");
        sb.append("Give one short sentence of reasoning, then on the last line write \"Score: N\" where N is a number from ")
                .append(fmt(min)).append(" (worst) to ").append(fmt(max)).append(" (best).");
        return sb.toString();
    }

    /**
     * Reads a grade from a judge's reply: a JSON {"score": n}; else the last "Score: n" (or rating/grade);
     * else "n/m" or "n out of m" (rescaled when m differs from max); else a bare number; else a leading
     * PASS/FAIL or YES/NO verdict (max / min).
     */
    static OptionalDouble parse(String reply, double min, double max) {
        Optional<JsonExtractor.Found> json = JsonExtractor.extract(reply);
        if (json.isPresent() && json.get().json().isObject()) {
            for (String k : new String[]{"score", "rating", "grade"}) {
                JsonNode n = json.get().json().get(k);
                if (n != null && n.isNumber()) return OptionalDouble.of(n.doubleValue());
                if (n != null && n.isTextual()) {
                    try {
                        return OptionalDouble.of(Double.parseDouble(n.asText().strip()));
                    } catch (NumberFormatException ignored) { }
                }
            }
        }
        Matcher m = LABELLED.matcher(reply);
        OptionalDouble labelled = OptionalDouble.empty();
        while (m.find()) labelled = OptionalDouble.of(scaled(m.group(1), m.group(2), min, max));
        if (labelled.isPresent()) return labelled;
        Matcher f = FRACTION.matcher(reply);
        Double num = null, den = null;
        while (f.find()) {
            num = Double.parseDouble(f.group(1));
            den = Double.parseDouble(f.group(2));
        }
        if (num != null) return OptionalDouble.of(scaled(num.toString(), den.toString(), min, max));
        Matcher b = BARE.matcher(reply);
        if (b.matches()) return OptionalDouble.of(Double.parseDouble(b.group(1)));
        Matcher v = VERDICT.matcher(reply);
        if (v.find()) {
            String w = v.group(1).toLowerCase();
            return OptionalDouble.of(w.equals("pass") || w.equals("yes") ? max : min);
        }
        return OptionalDouble.empty();
    }

    /** "n" or "n/d": a grade on our scale (rescaled when the judge used another denominator). */
    private static double scaled(String num, String den, double min, double max) {
        double n = Double.parseDouble(num);
        if (den == null) return n;
        double d = Double.parseDouble(den);
        return d <= 0 || d == max ? n : min + (max - min) * n / d;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
