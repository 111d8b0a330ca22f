package io.promptune.cli;

import io.promptune.optimizer.Trial;
import io.promptune.optimizer.storage.JournalStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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
    final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    PrintStream oldOut, oldErr;

    @BeforeEach
    void capture() {
        oldOut = System.out;
        oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(oldOut);
        System.setErr(oldErr);
    }

    @Test
    void tuneSearchesShotsPartsAndInstructions() throws Exception {
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            rows.add("{\"id\": \"r" + i + "\", \"text\": \"item " + i + (i % 2 == 0 ? " was good" : " was bad")
                    + "\", \"expected\": \"" + (i % 2 == 0 ? "positive" : "negative") + "\"}");
        }
        Files.write(dir.resolve("data.jsonl"), rows);
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
}
