package io.promptune.evaluators;

import io.promptune.datasets.Example;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whether the output contains a text: the fixed {@code value} if given, else the example's references
 * (any of them; with {@code all} every one). {@code ignoreCase} makes it promptfoo's icontains.
 */
public final class Contains implements Metric {
    private final List<String> values;
    private final boolean ignoreCase;
    private final boolean all;

    public Contains(List<String> values, boolean ignoreCase, boolean all) {
        this.values = List.copyOf(values);
        this.ignoreCase = ignoreCase;
        this.all = all;
    }

    @Override
    public String name() {
        return ignoreCase ? "icontains" : "contains";
    }

    @Override
    public Score score(String output, Example example) {
        List<String> needles = values.isEmpty() ? References.of(example, name()) : values;
        String hay = ignoreCase ? output.toLowerCase(Locale.ROOT) : output;
        int found = 0;
        String first = null;
        for (String n : needles) {
            if (hay.contains(ignoreCase ? n.toLowerCase(Locale.ROOT) : n)) {
                found++;
                if (first == null) first = n;
            }
        }
        boolean pass = all ? found == needles.size() : found > 0;
        return new Score(pass ? 1 : 0, first == null ? Map.of() : Map.of("found", first));
    }
}
