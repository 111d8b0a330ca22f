package io.promptune.evaluators;

import io.promptune.datasets.Example;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** 1 if the pattern is found anywhere in the output ({@code fullMatch}: the whole output must match). */
public final class RegexMatch implements Metric {
    private final Pattern pattern;
    private final boolean fullMatch;

    public RegexMatch(String regex, boolean ignoreCase, boolean fullMatch) {
        try {
            this.pattern = Pattern.compile(regex, (ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0) | Pattern.DOTALL);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("bad regular expression for metric 'regex': " + e.getDescription() + " in '" + regex + "'");
        }
        this.fullMatch = fullMatch;
    }

    @Override
    public String name() {
        return "regex";
    }

    @Override
    public Score score(String output, Example example) {
        Matcher m = pattern.matcher(output);
        boolean ok = fullMatch ? m.matches() : m.find();
        return new Score(ok ? 1 : 0, ok ? Map.of("match", m.group()) : Map.of());
    }
}
