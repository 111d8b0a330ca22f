package io.promptune.evaluators;

import io.promptune.datasets.Example;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Classification accuracy over a fixed label set. The model's answer is the label named first in the
 * output (as a whole word, any case), counting aliases ("pos" for positive); the example's expected
 * label may itself be an alias. An output naming no label scores 0.
 */
public final class ChoiceAccuracy implements Metric {
    private record Alias(String label, Pattern pattern, int length) { }

    private final List<String> labels;
    private final List<Alias> aliases = new ArrayList<>();
    private final Map<String, String> canonical = new LinkedHashMap<>();

    /** @param labels label -> its aliases (the label itself is always an alias) */
    public ChoiceAccuracy(Map<String, List<String>> labels) {
        if (labels.isEmpty()) throw new IllegalArgumentException("metric 'choice' needs a label set (labels=a,b,c)");
        this.labels = List.copyOf(labels.keySet());
        for (Map.Entry<String, List<String>> e : labels.entrySet()) {
            List<String> all = new ArrayList<>(e.getValue());
            all.add(0, e.getKey());
            for (String a : all) {
                String key = a.strip().toLowerCase(Locale.ROOT);
                String prev = canonical.putIfAbsent(key, e.getKey());
                if (prev != null && !prev.equals(e.getKey())) throw new IllegalArgumentException("alias '" + a + "' names both " + prev + " and " + e.getKey());
                aliases.add(new Alias(e.getKey(), Pattern.compile("(?<![\\p{L}\\p{N}])" + Pattern.quote(a.strip()) + "(?![\\p{L}\\p{N}])",
                        Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE), a.strip().length()));
            }
        }
    }

    /** Parses "positive,negative" and "positive:pos|good;negative:neg|bad" style options. */
    static ChoiceAccuracy fromOptions(List<String> labels, String aliasSpec) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (String l : labels) m.put(l, new ArrayList<>());
        if (aliasSpec != null && !aliasSpec.isBlank()) {
            for (String group : aliasSpec.split(";")) {
                int colon = group.indexOf(':');
                if (colon <= 0) throw new IllegalArgumentException("aliases must look like label:alias1|alias2;label2:alias3, got '" + group + "'");
                String label = group.substring(0, colon).strip();
                List<String> list = m.get(label);
                if (list == null) throw new IllegalArgumentException("alias group for '" + label + "', which is not one of the labels " + labels);
                for (String a : group.substring(colon + 1).split("\\|")) if (!a.isBlank()) list.add(a.strip());
            }
        }
        return new ChoiceAccuracy(m);
    }

    @Override
    public String name() {
        return "choice";
    }

    public List<String> labels() {
        return labels;
    }

    /** The label named first in the text, or null. On a tie in position the longer alias wins. */
    public String predicted(String output) {
        int bestPos = Integer.MAX_VALUE, bestLen = -1;
        String best = null;
        for (Alias a : aliases) {
            Matcher m = a.pattern.matcher(output);
            if (m.find() && (m.start() < bestPos || (m.start() == bestPos && a.length > bestLen))) {
                bestPos = m.start();
                bestLen = a.length;
                best = a.label;
            }
        }
        return best;
    }

    @Override
    public Score score(String output, Example example) {
        String ref = References.of(example, name()).get(0);
        String want = canonical.get(ref.strip().toLowerCase(Locale.ROOT));
        if (want == null) throw new IllegalArgumentException("metric 'choice': the expected label '" + ref + "' of example '" + example.id() + "' is not one of " + labels);
        String got = predicted(output);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("expected", want);
        d.put("predicted", got == null ? "(none)" : got);
        return new Score(want.equals(got) ? 1 : 0, d);
    }
}
