package io.promptune.cli.config;

import io.promptune.datasets.Example;
import io.promptune.evaluators.Metric;
import io.promptune.evaluators.Score;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Metrics from their config specs, "NAME key=value ...". Interim: a few metrics of our own until
 * the evaluators module's MetricRegistry lands, then this only delegates to it.
 */
public final class Metrics {
    public static final List<String> NAMES = List.of("exact_match", "contains", "icontains", "choice");

    private Metrics() { }

    public static String name(String spec) {
        String s = spec.trim();
        int sp = s.indexOf(' ');
        return sp < 0 ? s : s.substring(0, sp);
    }

    static Map<String, String> options(String spec) {
        Map<String, String> out = new LinkedHashMap<>();
        String[] parts = spec.trim().split("\\s+");
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("expected options as key=value after the metric name, got \"" + parts[i] + "\"");
            out.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
        }
        return out;
    }

    public static Metric create(String spec) {
        String name = name(spec);
        Map<String, String> opts = options(spec);
        return switch (name) {
            case "exact_match" -> named(name, (out, ex) -> Score.of(ex.expected().stream().anyMatch(e -> e.trim().equals(out.trim()))));
            case "contains" -> named(name, (out, ex) -> Score.of(ex.expected().stream().anyMatch(out::contains)));
            case "icontains" -> named(name, (out, ex) -> Score.of(ex.expected().stream()
                    .anyMatch(e -> out.toLowerCase(Locale.ROOT).contains(e.toLowerCase(Locale.ROOT)))));
            case "choice" -> choice(opts);
            default -> throw new IllegalArgumentException("unknown metric \"" + name + "\"; known: " + String.join(", ", NAMES));
        };
    }

    /** The first label that appears as a word in the output is the model's choice; right if it is the expected one. */
    private static Metric choice(Map<String, String> opts) {
        String labels = opts.get("labels");
        if (labels == null || labels.isBlank()) throw new IllegalArgumentException("the choice metric needs labels, e.g. \"choice labels=positive,negative\"");
        List<String> set = Arrays.stream(labels.split(",")).map(l -> l.trim().toLowerCase(Locale.ROOT)).filter(l -> !l.isEmpty()).toList();
        Pattern words = Pattern.compile("\\b(" + String.join("|", set.stream().map(Pattern::quote).toList()) + ")\\b");
        return named("choice", (out, ex) -> {
            Matcher m = words.matcher(out.toLowerCase(Locale.ROOT));
            String picked = m.find() ? m.group(1) : null;
            String expected = ex.reference() == null ? "" : ex.reference().trim().toLowerCase(Locale.ROOT);
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("picked", picked == null ? "(none)" : picked);
            d.put("expected", expected);
            return new Score(expected.equals(picked) ? 1 : 0, d);
        });
    }

    private interface Fn {
        Score score(String output, Example example);
    }

    private static Metric named(String name, Fn fn) {
        return new Metric() {
            @Override public Score score(String output, Example example) { return fn.score(output, example); }
            @Override public String name() { return name; }
        };
    }
}
