package io.promptune.cli;

import io.promptune.optimizer.Trial;
import io.promptune.optimizer.storage.JournalStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** `promptune tune` with the prompt-search keys, end to end with the fake provider. */
class PromptSearchTuneTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final CapturedStdStreams streams = new CapturedStdStreams();
    final ByteArrayOutputStream out = streams.out, err = streams.err;

    /** 40 labelled reviews (even ids positive, odd negative) as data.jsonl, the dataset both configs name. */
    private void writeReviews() throws Exception {
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            rows.add("{\"id\": \"r" + i + "\", \"text\": \"item " + i + (i % 2 == 0 ? " was good" : " was bad")
                    + "\", \"expected\": \"" + (i % 2 == 0 ? "positive" : "negative") + "\"}");
        }
        Files.write(dir.resolve("data.jsonl"), rows);
    }

    @Test
    void tuneSearchesShotsPartsAndInstructions() throws Exception {
        writeReviews();
        Path c = dir.resolve("ps.yaml");
        Files.writeString(c, """
                study: ps
                model: {provider: fake, name: quality}
                dataset: {file: data.jsonl, fields: {id: id}, test_fraction: 0.25}
                templates:
                  terse: {user: "{{text}}"}
                baseline: {template: terse, params: {temperature: 1.0}}
                space:
                  - {name: temperature, type: float, low: 0.0, high: 1.5}
                metrics: ["choice labels=positive,negative"]
                budget: {trials: 8}
                sampler: random
                racing: false
                task: Say whether a review is positive or negative.
                fewshot: {max: 2, strategies: [random, bootstrapped]}
                proposals: {every: 3, count: 2, rounds: 1}
                template_parts: {system_prompt: true, format_hint: true, answer_prefix: "Answer:"}
                output: out
                """);
        assertEquals(0, Main.run("tune", c.toString(), "--no-progress", "--no-report"), err.toString(StandardCharsets.UTF_8));
        List<Trial> trials;
        try (JournalStorage s = new JournalStorage(dir.resolve("out/ps/trials.jsonl"))) {
            trials = s.trials("ps");
        }
        assertEquals(8, trials.stream().filter(t -> t.state().isFinished()).count());
        Trial baseline = trials.getFirst();
        assertEquals(0L, ((Number) baseline.params().get("few_shot")).longValue());
        assertEquals("(template)", baseline.params().get("instruction"));
        assertEquals(false, baseline.params().get("format_hint"));
        assertTrue(trials.stream().anyMatch(t -> ((Number) t.params().get("few_shot")).intValue() > 0), "some trial used demonstrations");
    }

    /** eval --params applies the prompt-search parameters exactly as a trial would (same Tuner set-up). */
    @Test
    void evalAppliesPromptSearchParameters() throws Exception {
        writeReviews();
        Path c = dir.resolve("ps.yaml");
        Files.writeString(c, """
                study: ps
                model: {provider: fake, name: quality}
                dataset: {file: data.jsonl, fields: {id: id}, test_fraction: 0.25}
                templates:
                  terse: {user: "{{text}}"}
                baseline: {template: terse, params: {temperature: 1.0}}
                space:
                  - {name: temperature, type: float, low: 0.0, high: 1.5}
                metrics: ["choice labels=positive,negative"]
                budget: {trials: 8}
                fewshot: {max: 2, strategies: [random]}
                proposals: {every: 3, count: 2, rounds: 1}
                template_parts: {system_prompt: true, format_hint: true, answer_prefix: "Answer:"}
                output: out
                """);
        // A proposal as a tune run would have logged it.
        Files.createDirectories(dir.resolve("out/ps"));
        Files.writeString(dir.resolve("out/ps/proposals.jsonl"), "{\"id\":\"p1\",\"instruction\":\"Decide: positive or negative.\","
                + "\"style\":\"ape\",\"metaPrompt\":\"m\",\"parentTrial\":0,\"proposerModel\":\"fake:quality\",\"round\":0,"
                + "\"queuedTrial\":3,\"createdAt\":\"2026-11-24T00:00:00Z\"}\n");

        Path plain = dir.resolve("plain.jsonl"), searched = dir.resolve("searched.jsonl");
        assertEquals(0, Main.run("eval", c.toString(), "--save", plain.toString()), err.toString(StandardCharsets.UTF_8));
        assertEquals(0, Main.run("eval", c.toString(), "--json", "--save", searched.toString(), "--params", "few_shot=2",
                "few_shot_strategy=random", "instruction=p1", "system_prompt=false", "format_hint=true", "answer_prefix=Answer:"),
                err.toString(StandardCharsets.UTF_8));

        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<String> testTexts = new ArrayList<>(), plainPrompts = new ArrayList<>();
        for (String l : Files.readAllLines(plain)) {
            var n = json.readTree(l);
            testTexts.add(n.get("inputs").get("text").asText());
            plainPrompts.add(n.get("prompt").asText());
        }
        assertEquals(10, testTexts.size());
        for (int i = 0; i < 10; i++) assertEquals("[user]\n" + testTexts.get(i), plainPrompts.get(i), "the baseline is the template as written");

        List<String> prompts = new ArrayList<>();
        for (String l : Files.readAllLines(searched)) prompts.add(json.readTree(l).get("prompt").asText());
        assertEquals(10, prompts.size());
        for (int i = 0; i < 10; i++) {
            String p = prompts.get(i);
            assertFalse(p.contains("[system]"), "system_prompt=false puts the instruction in the user turn: " + p);
            assertTrue(p.startsWith("[user]\nDecide: positive or negative.\n\n"), "proposal p1 on top: " + p);
            assertEquals(2, p.split("\\[assistant]", -1).length - 1, "two demonstrations: " + p);
            assertTrue(p.endsWith(testTexts.get(i) + "\nAnswer with one of: negative, positive.\nAnswer:"), "hint and prefix after the question: " + p);
            for (String t : testTexts) if (!t.equals(testTexts.get(i))) assertFalse(p.contains(t + "\n"), "a held-out example as a demonstration: " + p);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("\"instruction\" : \"Decide: positive or negative.\""), printed);
        assertTrue(printed.contains("\"few_shot\" : 2"), printed);

        // an unknown proposal id is a usage error naming the log
        err.reset();
        assertEquals(2, Main.run("eval", c.toString(), "--params", "instruction=p7"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no proposal 'p7'"), err.toString(StandardCharsets.UTF_8));
    }
}
