package io.promptune.cli.config;

import io.promptune.optimizer.promptsearch.PromptParams;
import io.promptune.optimizer.promptsearch.PromptSearchOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The prompt-search keys of a tune config. */
class PromptSearchConfigTest {
    @TempDir
    Path dir;

    static final String BASE = """
            study: s1
            model: {provider: fake, name: quality}
            dataset: {file: data.jsonl}
            templates:
              terse: {user: "{{text}}"}
            space:
              - {name: temperature, type: float, low: 0.0, high: 1.5}
            metrics: ["exact_match"]
            baseline: {params: {temperature: 0.7}}
            """;

    TuneConfig load(String extra) throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, BASE + extra);
        return TuneConfig.load(f);
    }

    String error(String extra) throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, BASE + extra);
        return assertThrows(ConfigException.class, () -> TuneConfig.load(f)).getMessage();
    }

    @Test
    void withoutTheKeysThereIsNoPromptSearch() throws Exception {
        TuneConfig c = load("");
        assertNull(c.promptSearch());
        assertNull(c.space().param(PromptParams.FEW_SHOT));
    }

    @Test
    void readsFewShotProposalsAndTemplateParts() throws Exception {
        TuneConfig c = load("""
                task: Classify reviews.
                fewshot: {max: 3, strategies: [random, bootstrapped]}
                proposals: {every: 4, count: 2, proposer: {path: default}}
                template_parts: {system_prompt: true, format_hint: true, answer_prefix: ["Answer:", "Sentiment:"], raw_completion: true}
                """);
        PromptSearchOptions o = c.promptSearch();
        assertEquals(3, o.maxShots());
        assertEquals(List.of("random", "bootstrapped"), o.strategies());
        assertEquals(new PromptSearchOptions.Proposals(4, 2, 3), o.proposals());
        assertEquals("Classify reviews.", o.taskDescription());
        assertEquals(new PromptSearchOptions.TemplateParts(true, true, List.of("Answer:", "Sentiment:"), true), o.parts());
        assertEquals("default", c.proposer().path());
        for (String p : List.of("temperature", "instruction", "few_shot", "few_shot_strategy", "system_prompt", "format_hint", "answer_prefix", "chat")) {
            assertNotNull(c.space().param(p), p + " is searched");
        }
    }

    @Test
    void proposalsCanBeSwitchedOffAndTheProposerDefaultsToTheTunedModel() throws Exception {
        TuneConfig c = load("fewshot: {max: 2}\nproposals: {enabled: false}\n");
        assertNull(c.promptSearch().proposals());
        assertNull(c.space().param(PromptParams.INSTRUCTION));
        assertEquals(List.of("random", "nearest"), c.promptSearch().strategies());
        c = load("proposals: {every: 2}\n");
        assertNull(c.proposer());
        assertEquals(0, c.promptSearch().maxShots());
    }

    @Test
    void badValuesNameTheKeyAndLine() throws Exception {
        String e = error("fewshot: {max: 2, strategies: [random, closest]}\n");
        assertTrue(e.contains("fewshot.strategies") && e.contains("closest"), e);
        assertTrue(e.contains("bad.yaml:10:"), "names the file and line: " + e);
        e = error("proposals: {every: 0}\n");
        assertTrue(e.contains("proposals.every"), e);
        e = error("fewshot: {max: 2, kind: x}\n");
        assertTrue(e.contains("kind"), e);
        Path f = dir.resolve("clash.yaml");
        Files.writeString(f, BASE.replace("- {name: temperature", "- {name: few_shot, type: int, low: 0, high: 3}\n  - {name: temperature")
                + "fewshot: {max: 2}\n");
        e = assertThrows(ConfigException.class, () -> TuneConfig.load(f)).getMessage();
        assertTrue(e.contains("few_shot") && e.contains("space"), e);
    }
}
