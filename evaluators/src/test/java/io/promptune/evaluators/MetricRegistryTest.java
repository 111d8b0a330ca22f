package io.promptune.evaluators;

import io.promptune.datasets.BuiltinDatasets;
import io.promptune.datasets.Example;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.promptune.evaluators.TextMetricsTest.ex;
import static org.junit.jupiter.api.Assertions.*;

class MetricRegistryTest {
    private final MetricRegistry reg = MetricRegistry.standard();

    @Test
    void createsEveryMetricByName() {
        assertTrue(reg.names().containsAll(List.of("exact_match", "contains", "icontains", "regex", "f1", "rouge_l", "bleu", "levenshtein",
                "json_valid", "json_schema", "json_field_match", "numeric", "choice", "length", "cost", "embedding", "llm_judge")));
        assertEquals(1, reg.create("exact_match", Map.of("ignore_case", "true")).score("PARIS", ex("paris")).value());
        assertEquals(0, reg.create("exact_match", Map.of()).score("PARIS", ex("paris")).value());
        assertEquals(1, reg.create("numeric", Map.of("abs_tol", "0.5")).score("3.3", ex("3")).value());
        assertEquals(1, reg.create("regex", Map.of("pattern", "^\\d+$")).score("42", ex()).value());
        assertEquals(1, reg.create("icontains", Map.of("value", "PARIS")).score("paris!", ex()).value());
        assertEquals(1, reg.create("json_schema", Map.of("schema", "{\"type\":\"array\"}")).score("[1]", ex()).value());
        assertEquals(1, reg.parse("choice labels=yes,no aliases=yes:y|yeah").score("Yeah.", ex("yes")).value());
        assertEquals(0, reg.create("length", Map.of("max_words", "1")).score("two words", ex()).value());
        Metric w = reg.create("weighted", Map.of("parts", "exact_match:1,icontains:3"));
        assertEquals(0.75, w.score("The answer: Paris", ex("paris")).value(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> reg.create("weighted", Map.of("parts", "exact_match:x")));
        assertThrows(IllegalArgumentException.class, () -> reg.create("weighted", Map.of("parts", "regex:1")), "sub-metric needing options");
        for (String name : reg.names()) assertNotNull(reg.description(name));
    }

    @Test
    void clearErrorsForBadNamesAndOptions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> reg.create("exact", Map.of()));
        assertTrue(e.getMessage().contains("unknown metric 'exact'") && e.getMessage().contains("exact_match"));
        e = assertThrows(IllegalArgumentException.class, () -> reg.create("exact_match", Map.of("ignore_cse", "true")));
        assertTrue(e.getMessage().contains("ignore_cse") && e.getMessage().contains("ignore_case"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> reg.create("numeric", Map.of("abs_tol", "abc")));
        assertTrue(e.getMessage().contains("abs_tol"));
        e = assertThrows(IllegalArgumentException.class, () -> reg.create("regex", Map.of()));
        assertTrue(e.getMessage().contains("pattern="));
        e = assertThrows(IllegalArgumentException.class, () -> reg.create("llm_judge", Map.of("rubric", "x")));
        assertTrue(e.getMessage().contains("judge model"));
        assertThrows(IllegalArgumentException.class, () -> MetricOptions.parse(List.of("novalue")));
    }

    @Test
    void judgeAndCustomMetricsRegister() {
        MetricRegistry r = MetricRegistry.standard().withJudge(new LlmJudgeTest.FakeJudge("Score: 10", false))
                .register("always_half", o -> Metric.of("always_half", (out, ex) -> 0.5), "a test metric");
        assertEquals(1, r.create("llm_judge", Map.of("rubric", "is it right?")).score("x", ex("y")).value());
        assertEquals(0.5, r.create("always_half", Map.of()).score("x", ex("y")).value());
    }

    @Test
    void builtinDatasetMetricsScoreTheirOwnReferencesPerfectly() {
        // a perfect model (output = reference) must score 1 on every built-in set with its own metric
        for (String name : BuiltinDatasets.names()) {
            Metric m = reg.parse(BuiltinDatasets.info(name).metric());
            for (Example e : BuiltinDatasets.load(name).examples()) {
                assertEquals(1.0, m.score(e.reference(), e).value(), 1e-9, name + "/" + e.id());
            }
        }
    }
}
