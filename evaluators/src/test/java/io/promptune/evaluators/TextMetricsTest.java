package io.promptune.evaluators;

import io.promptune.datasets.Example;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class TextMetricsTest {
    static Example ex(String... refs) {
        return new Example("e", Map.of("q", "question"), List.of(refs), Map.of());
    }

    private static final String LONG = "word ".repeat(3_000);

    @Test
    void exactMatchNormalizations() {
        assertEquals(1, new ExactMatch().score("  Paris \n", ex("Paris")).value());
        assertEquals(0, new ExactMatch().score("paris", ex("Paris")).value());
        assertEquals(0, new ExactMatch(TextNormalizer.NONE).score(" Paris", ex("Paris")).value());
        assertEquals(1, new ExactMatch(TextNormalizer.SQUAD).score("The  Eiffel tower!", ex("eiffel Tower")).value());
        assertEquals(1, new ExactMatch(new TextNormalizer(true, false, false, true)).score("PARIS", ex("London", "paris")).value(), "any reference");
        assertEquals(1, new ExactMatch().score("", ex("")).value(), "empty equals empty");
        assertEquals(0, new ExactMatch().score("", ex("x")).value());
        assertEquals(1, new ExactMatch(TextNormalizer.SQUAD).score("Ünïcödé, ÉTÉ…", ex("ünïcödé été")).value());
        assertEquals(1, new ExactMatch().score(LONG, ex(LONG.strip())).value());
        assertThrows(IllegalArgumentException.class, () -> new ExactMatch().score("x", new Example("n", Map.of(), List.of(), Map.of())),
                "no reference is a clear error");
    }

    @Test
    void containsAndIcontains() {
        assertEquals(1, new Contains(List.of(), false, false).score("The answer is Paris.", ex("Paris")).value());
        assertEquals(0, new Contains(List.of(), false, false).score("the answer is paris", ex("Paris")).value());
        assertEquals(1, new Contains(List.of(), true, false).score("the answer is paris", ex("Paris")).value());
        assertEquals(0, new Contains(List.of("a", "z"), false, true).score("abc", ex("x")).value());
        assertEquals(1, new Contains(List.of("a", "b"), false, true).score("abc", ex("x")).value());
        assertEquals(0, new Contains(List.of("x"), false, false).score("", ex("x")).value());
        assertEquals(1, new Contains(List.of("Straße"), true, false).score("DIE STRAßE", ex("x")).value());
    }

    @Test
    void regex() {
        assertEquals(1, new RegexMatch("\\d{3}-\\d{4}", false, false).score("call 555-1234 now", ex("x")).value());
        assertEquals(0, new RegexMatch("\\d{3}-\\d{4}", false, true).score("call 555-1234 now", ex("x")).value());
        assertEquals(1, new RegexMatch("yes", true, true).score("YES", ex("x")).value());
        assertEquals(1, new RegexMatch("a.b", false, true).score("a\nb", ex("x")).value(), "dot matches newlines");
        assertEquals(0, new RegexMatch(".+", false, false).score("", ex("x")).value());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RegexMatch("(", false, false));
        assertTrue(e.getMessage().contains("bad regular expression"));
    }

    @Test
    void tokenF1LikeSquad() {
        TokenF1 f1 = new TokenF1();
        // pred tokens: [eiffel, tower, in, paris]; gold: [eiffel, tower] -> P=2/4, R=1, F=2/3
        assertEquals(2.0 / 3, f1.score("The Eiffel Tower in Paris", ex("the eiffel tower")).value(), 1e-12);
        assertEquals(1, f1.score("", ex("the")).value(), "both empty after normalization");
        assertEquals(0, f1.score("", ex("Paris")).value());
        assertEquals(0, f1.score("London", ex("Paris")).value());
        // repeated tokens are counted with multiplicity: pred [a, a, b], gold [a, b] -> common 2, P=2/3, R=1
        assertEquals(0.8, f1.f1("x x y", "x y"), 1e-12);
        assertEquals(1, f1.score("Paris", ex("London", "paris!")).value(), "best reference");
    }

    @Test
    void levenshtein() {
        LevenshteinSimilarity lev = new LevenshteinSimilarity(TextNormalizer.NONE);
        assertEquals(1 - 3.0 / 7, lev.score("kitten", ex("sitting")).value(), 1e-12);
        assertEquals(1, lev.score("", ex("")).value());
        assertEquals(0, lev.score("", ex("abc")).value());
        assertEquals(1 - 1.0 / 3, lev.score("a🙂b", ex("a😀b")).value(), 1e-12, "an emoji is one character");
        assertEquals(3, LevenshteinSimilarity.distance("kitten".codePoints().toArray(), "sitting".codePoints().toArray()));
        assertEquals(1, new LevenshteinSimilarity(TextNormalizer.SQUAD).score("The CAT.", ex("cat")).value());
    }

    @Test
    void rougeAndBleuEdges() {
        assertEquals(0, new RougeL().score("", ex("the cat")).value());
        assertEquals(0, new RougeL().score("東京", ex("東京")).value(), "rouge-score drops non-ASCII letters, so does ours");
        assertEquals(1, new RougeL().score("The cat!", ex("the CAT")).value());
        assertEquals(0, new Bleu().score("", ex("the cat sat")).value());
        assertEquals(1, new Bleu().score(LONG, ex(LONG)).value(), 1e-9);
        assertTrue(new RougeL().score(LONG, ex(LONG + " extra")).value() > 0.99);
    }

    @Test
    void numericMatch() {
        NumericMatch exact = new NumericMatch(1e-6, 0, false);
        assertEquals(1, exact.score("5 + 3 = 8. The answer is 8", ex("8")).value());
        assertEquals(0, exact.score("The answer is 8, not 9", ex("8")).value(), "the last number counts");
        assertEquals(1, new NumericMatch(1e-6, 0, true).score("8, not 9", ex("8")).value());
        assertEquals(1, exact.score("It costs $1,234.50.", ex("1234.5")).value());
        assertEquals(1, exact.score("Temperature: -3.5 degrees", ex("-3.5")).value());
        assertEquals(1, exact.score("about 1.2e3", ex("1200")).value());
        assertEquals(0, exact.score("no number here", ex("3")).value());
        assertEquals(0, exact.score("", ex("3")).value());
        assertEquals(1, new NumericMatch(0.5, 0, false).score("3.4", ex("3")).value());
        assertEquals(1, new NumericMatch(0, 0.1, false).score("105", ex("100")).value());
        assertEquals(0, new NumericMatch(0, 0.01, false).score("105", ex("100")).value());
        assertEquals(1, exact.score("a1 then 42", ex("42")).value(), "digits inside words are not numbers");
        assertEquals(1, exact.score("ответ: ٣ no, 7", ex("7")).value());
        assertThrows(IllegalArgumentException.class, () -> exact.score("4", ex("four")));
    }

    @Test
    void choiceAccuracyWithAliases() {
        ChoiceAccuracy c = ChoiceAccuracy.fromOptions(List.of("positive", "negative", "neutral"), "positive:pos|good;negative:neg|bad");
        assertEquals(1, c.score("Positive.", ex("positive")).value());
        assertEquals(1, c.score("The sentiment is POSITIVE", ex("pos")).value(), "the expected label may be an alias");
        assertEquals(0, c.score("negative, not positive", ex("positive")).value(), "the first label named counts");
        assertEquals(1, c.score("It's good", ex("positive")).value());
        assertEquals(0, c.score("goodness me", ex("positive")).value(), "whole words only");
        assertEquals(0, c.score("", ex("neutral")).value());
        assertEquals("(none)", c.score("", ex("neutral")).details().get("predicted"));
        assertEquals("negative", c.predicted("neg... negative!"));
        assertThrows(IllegalArgumentException.class, () -> c.score("positive", ex("mixed")));
        assertThrows(IllegalArgumentException.class, () -> ChoiceAccuracy.fromOptions(List.of("a", "b"), "a:x;b:x"));
        assertThrows(IllegalArgumentException.class, () -> ChoiceAccuracy.fromOptions(List.of(), null));
    }

    @Test
    void lengthLimit() {
        LengthLimit l = new LengthLimit(1, 10, 0, 2);
        assertEquals(1, l.score("two words", ex()).value());
        assertEquals(0, l.score("three words here", ex()).value());
        assertEquals(0, l.score("   ", ex()).value(), "blank is shorter than 1 char");
        assertEquals(1, l.score("🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂", ex()).value(), "code points, not UTF-16 units");
        assertEquals(0, l.score(LONG, ex()).value());
    }

    @Test
    void customAndWeighted() {
        Metric shortAnswer = Metric.of("short", (o, e) -> o.length() <= 5 ? 1.0 : 0.0);
        Metric starts = Metric.pass("starts_with_ref", (o, e) -> o.startsWith(e.reference()));
        WeightedMetric w = WeightedMetric.builder("combo").add(shortAnswer, 1).add(starts, 3).build();
        Score s = w.score("Paris is big", ex("Paris"));
        assertEquals(0.75, s.value(), 1e-12);
        assertEquals(Map.of("short", 0.0, "starts_with_ref", 1.0), s.details());
        assertThrows(IllegalStateException.class, () -> Metric.of("bad", (o, e) -> 2.0).score("x", ex("y")));
        assertThrows(IllegalArgumentException.class, () -> WeightedMetric.builder("w").add(shortAnswer, 0).build());
        assertEquals("renamed", shortAnswer.named("renamed").name());
    }
}
