package io.promptune.evaluators;

import io.promptune.datasets.Example;

import java.util.Map;

/** Pass (1) when the output's length in characters (code points) and words is within the limits. */
public final class LengthLimit implements Metric {
    private final int minChars, maxChars, minWords, maxWords;

    public LengthLimit(int minChars, int maxChars, int minWords, int maxWords) {
        this.minChars = minChars;
        this.maxChars = maxChars;
        this.minWords = minWords;
        this.maxWords = maxWords;
    }

    @Override
    public String name() {
        return "length";
    }

    @Override
    public Score score(String output, Example example) {
        String s = output.strip();
        int chars = s.codePointCount(0, s.length());
        int words = PyText.split(s).size();
        boolean ok = chars >= minChars && chars <= maxChars && words >= minWords && words <= maxWords;
        return new Score(ok ? 1 : 0, Map.of("chars", chars, "words", words));
    }
}
