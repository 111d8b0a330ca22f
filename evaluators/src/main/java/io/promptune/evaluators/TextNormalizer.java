package io.promptune.evaluators;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Normalizations applied before comparing texts, each optional: lowercase, strip punctuation, drop
 * the English articles a/an/the, collapse whitespace (and trim). {@link #SQUAD} is all four, as in
 * SQuAD's normalize_answer.
 */
public record TextNormalizer(boolean lowercase, boolean punctuation, boolean articles, boolean whitespace) {
    public static final TextNormalizer NONE = new TextNormalizer(false, false, false, false);
    public static final TextNormalizer TRIM = new TextNormalizer(false, false, false, true);
    public static final TextNormalizer SQUAD = new TextNormalizer(true, true, true, true);

    private static final Pattern ARTICLES = Pattern.compile("\\b(a|an|the)\\b", Pattern.CASE_INSENSITIVE);
    // Python's string.punctuation (ASCII) plus Unicode punctuation and symbols
    private static final Pattern PUNCT = Pattern.compile("[\\p{Punct}\\p{IsPunctuation}]");
    private static final Pattern SPACES = Pattern.compile("[\\s\\u00a0\\u2000-\\u200b\\u3000]+");

    public String apply(String s) {
        if (s == null) return "";
        if (lowercase) s = s.toLowerCase(Locale.ROOT);
        if (punctuation) s = PUNCT.matcher(s).replaceAll("");
        if (articles) s = ARTICLES.matcher(s).replaceAll(" ");
        if (whitespace) s = SPACES.matcher(s).replaceAll(" ").strip();
        return s;
    }

    /** Builds from metric options: ignore_case, ignore_punctuation, ignore_articles, normalize_whitespace. */
    static TextNormalizer from(MetricOptions o, TextNormalizer defaults) {
        return new TextNormalizer(o.bool("ignore_case", defaults.lowercase), o.bool("ignore_punctuation", defaults.punctuation),
                o.bool("ignore_articles", defaults.articles), o.bool("normalize_whitespace", defaults.whitespace));
    }
}
