package io.promptune.evaluators;

import io.promptune.datasets.Example;

import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Extracts a number from the output (the last one by default, where models put final answers) and
 * compares it with the reference's number: |a - b| <= absTol + relTol * |b|. Understands signs,
 * decimals, thousands separators ("1,234") and exponents; "$12.50" reads as 12.5.
 */
public final class NumericMatch implements Metric {
    private static final Pattern NUMBER = Pattern.compile("(?<![\\w.])[-−]?(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?(?:[eE][-+]?\\d+)?(?![\\d])|(?<![\\w.])[-−]?\\.\\d+");

    private final double absTol;
    private final double relTol;
    private final boolean first;

    public NumericMatch(double absTol, double relTol, boolean first) {
        if (absTol < 0 || relTol < 0) throw new IllegalArgumentException("tolerances must be >= 0");
        this.absTol = absTol;
        this.relTol = relTol;
        this.first = first;
    }

    @Override
    public String name() {
        return "numeric";
    }

    @Override
    public Score score(String output, Example example) {
        OptionalDouble got = extract(output, first);
        if (got.isEmpty()) return new Score(0, Map.of("error", "no number in the output"));
        for (String ref : References.of(example, name())) {
            OptionalDouble want = extract(ref, false);
            if (want.isEmpty()) throw new IllegalArgumentException("metric 'numeric': the expected output of example '" + example.id() + "' has no number: " + ref);
            if (Math.abs(got.getAsDouble() - want.getAsDouble()) <= absTol + relTol * Math.abs(want.getAsDouble())) {
                return new Score(1, Map.of("extracted", got.getAsDouble()));
            }
        }
        return new Score(0, Map.of("extracted", got.getAsDouble()));
    }

    /** The first or last number in a text. */
    public static OptionalDouble extract(String text, boolean first) {
        Matcher m = NUMBER.matcher(text);
        String hit = null;
        while (m.find()) {
            hit = m.group();
            if (first) break;
        }
        if (hit == null) return OptionalDouble.empty();
        try {
            return OptionalDouble.of(Double.parseDouble(hit.replace(",", "").replace('−', '-')));
        } catch (NumberFormatException e) {
            return OptionalDouble.empty();
        }
    }
}
