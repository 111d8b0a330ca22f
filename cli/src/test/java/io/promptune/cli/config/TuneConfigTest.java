package io.promptune.cli.config;

import io.promptune.optimizer.Direction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

class TuneConfigTest {
    @TempDir
    Path dir;

    static final String GOOD = """
            study: s1
            model: {provider: fake, name: quality}
            dataset:
              file: data.jsonl
              test_fraction: 0.25
            templates:
              terse: {user: "{{text}}"}
              careful:
                system: "Answer with one word."
                user: "Review: {{text}}"
            baseline:
              template: terse
              params: {temperature: 1.0}
            space:
              - {name: temperature, type: float, low: 0.0, high: 1.5}
            metrics: ["exact_match"]
            budget: {trials: 5, time: 1h30m}
            """;

    Path write(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    String error(String text) throws Exception {
        Path f = write("bad.yaml", text);
        return assertThrows(ConfigException.class, () -> TuneConfig.load(f)).getMessage().replace(f.toString(), "bad.yaml");
    }

    @Test
    void readsAGoodConfigAndFillsDefaults() throws Exception {
        TuneConfig c = TuneConfig.load(write("good.yaml", GOOD));
        assertEquals("s1", c.study());
        assertEquals(dir.resolve("data.jsonl"), c.dataset().file());
        assertEquals(0.25, c.dataset().testFraction());
        assertEquals("terse", c.baselineTemplate());
        assertEquals(5, c.budget().maxTrials());
        assertEquals(Duration.ofMinutes(90), c.budget().maxDuration());
        assertEquals("exact_match", c.objectiveMetric());
        assertEquals(Direction.MAXIMIZE, c.direction());
        assertEquals("auto", c.sampler());
        assertNotNull(c.space().param("template"), "several templates make 'template' a searched parameter");
        assertEquals(dir.resolve("promptune-out"), c.output());
    }

    @Test
    void jsonConfigsWorkToo() throws Exception {
        Path f = write("c.json", """
                {"model": {"path": "default"}, "dataset": {"builtin": "sentiment"},
                 "templates": {"a": {"user": "{{text}}"}}, "baseline": {"params": {"temperature": 0.7}},
                 "space": [{"name": "temperature", "type": "float", "low": 0, "high": 1}],
                 "metrics": ["choice labels=positive,negative"]}
                """);
        TuneConfig c = TuneConfig.load(f);
        assertEquals("c", c.study());
        assertEquals("choice", c.objectiveMetric());
    }

    @Test
    void unknownKeySaysWhereAndSuggests() throws Exception {
        assertEquals("bad.yaml:17: budget.trails: unknown key (did you mean 'trials'?); expected one of: trials, model_calls, cost_usd, time",
                error(GOOD.replace("budget: {trials: 5, time: 1h30m}", "budget: {trails: 5}")));
    }

    @Test
    void wrongTypeNamesTheKeyAndWhatWasExpected() throws Exception {
        assertEquals("bad.yaml:17: budget.trials: expected a whole number of at least 1, got \"many\"",
                error(GOOD.replace("trials: 5", "trials: many")));
        assertEquals("bad.yaml:5: dataset.test_fraction: expected a number from 0 to 0.9, got 1.5",
                error(GOOD.replace("test_fraction: 0.25", "test_fraction: 1.5")));
        assertEquals("bad.yaml:17: budget.time: expected a duration such as 90s, 20m or 1h30m (or seconds as a number), got \"soon\"",
                error(GOOD.replace("time: 1h30m", "time: soon")));
    }

    @Test
    void badSearchSpaceEntryPointsAtItsLine() throws Exception {
        String msg = error(GOOD.replace("{name: temperature, type: float, low: 0.0, high: 1.5}", "{name: temperature, type: float, low: 2.0, high: 1.5}"));
        assertTrue(msg.startsWith("bad.yaml:15: space[0]: "), msg);
        assertTrue(msg.contains("low") && msg.contains("high"), msg);
    }

    @Test
    void referencesToUnknownNamesAreCaught() throws Exception {
        assertEquals("bad.yaml:12: baseline.template: expected one of the templates [terse, careful], got \"fancy\"",
                error(GOOD.replace("template: terse", "template: fancy")));
        String metric = error(GOOD.replace("[\"exact_match\"]", "[\"exactmatch\"]"));
        assertTrue(metric.startsWith("bad.yaml:16: metrics[0]: unknown metric 'exactmatch'; known: ") && metric.contains("exact_match, f1"), metric);
        String option = error(GOOD.replace("[\"exact_match\"]", "[\"exact_match ignore_kase=true\"]"));
        assertTrue(option.startsWith("bad.yaml:16: metrics[0]: ") && option.contains("ignore_kase"), option);
        assertEquals("bad.yaml:18: objective.metric: expected one of the metrics [exact_match], got \"f1\"",
                error(GOOD + "objective: {metric: f1}\n"));
    }

    @Test
    void missingSectionsAndBadSyntax() throws Exception {
        assertEquals("bad.yaml:1: missing 'templates'; expected for example:\n  templates: {plain: {user: \"{{text}}\"}}",
                error(GOOD.replaceAll("(?s)templates:.*?baseline:", "baseline:")));
        String syntax = error("model: {path: default\ndataset: [\n");
        assertTrue(syntax.startsWith("bad.yaml:") && syntax.contains("not valid YAML"), syntax);
        assertEquals("bad.yaml:2: model: give either 'path' (a local model) or 'provider' (a remote one), not both".replace("model: give", "model.path: give"),
                error(GOOD.replace("model: {provider: fake, name: quality}", "model: {provider: fake, name: q, path: x.gguf}")));
        assertEquals("bad.yaml: no such file".replace("bad.yaml", dir.resolve("nope.yaml").toString()),
                assertThrows(ConfigException.class, () -> TuneConfig.load(dir.resolve("nope.yaml"))).getMessage());
    }

    @Test
    void theBaselineMustSayWhatItUsesForEverySearchedParameter() throws Exception {
        assertEquals("bad.yaml:13: baseline.params: the baseline (trial 0) needs a value for every searched parameter, as you use it today: "
                        + "parameter 'temperature': expected a finite number, got nothing",
                error(GOOD.replace("params: {temperature: 1.0}", "params: {top_p: 0.9}")));
    }

    @Test
    void duplicateKeysAreRefused() throws Exception {
        assertEquals("bad.yaml:19: the key 'sampler' appears twice", error(GOOD + "sampler: tpe\nsampler: gp\n"));
    }
}
