package io.promptune.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptune.optimizer.Trial;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.promptune.optimizer.storage.JournalStorage;
import io.promptune.optimizer.tuning.StudyDirectory;
import io.promptune.reports.ReportData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The commands end to end, in-process, with the "fake" provider and a small JSONL dataset. */
class CommandsTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final CapturedStdStreams streams = new CapturedStdStreams();
    final ByteArrayOutputStream out = streams.out, err = streams.err;

    @AfterEach
    void restore() {
        FakeProvider.delayMs = 0;
    }

    String out() { return out.toString(StandardCharsets.UTF_8); }
    String err() { return err.toString(StandardCharsets.UTF_8); }

    Path config(int trials) throws Exception {
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            rows.add("{\"id\": \"r" + i + "\", \"text\": \"item " + i + (i % 2 == 0 ? " was good" : " was bad")
                    + "\", \"expected\": \"" + (i % 2 == 0 ? "positive" : "negative") + "\"}");
        }
        Files.write(dir.resolve("data.jsonl"), rows);
        Path c = dir.resolve("study.yaml");
        Files.writeString(c, """
                study: fake-study
                model: {provider: fake, name: quality}
                dataset: {file: data.jsonl, fields: {id: id}, test_fraction: 0.25}
                templates:
                  terse: {user: "{{text}}"}
                  careful: {system: "Answer with one word.", user: "Review: {{text}}"}
                baseline: {template: terse, params: {temperature: 1.0}}
                space:
                  - {name: temperature, type: float, low: 0.0, high: 1.5}
                metrics: ["exact_match", "choice labels=positive,negative"]
                budget: {trials: %d}
                sampler: random
                output: out
                """.formatted(trials));
        return c;
    }

    @Test
    @SuppressWarnings("unchecked")
    void tuneRunsTheStudyWritesTheReportAndResumesWithoutRedoingWork() throws Exception {
        Path c = config(8);
        assertEquals(0, Main.run("tune", c.toString(), "--no-progress"), err());
        Path study = dir.resolve("out/fake-study");
        assertTrue(Files.isRegularFile(study.resolve("report.html")));
        assertTrue(Files.isRegularFile(study.resolve("result.json")));
        assertTrue(out().contains("Best: trial #"), out());
        assertTrue(out().contains("Held-out (12 examples)"), out());
        assertTrue(out().contains("Report: " + study.resolve("report.html").toAbsolutePath()), out());
        JsonNode result = new ObjectMapper().readTree(study.resolve("result.json").toFile());
        assertEquals(8, result.get("trials").asInt());

        // The report's copy-pasteable YAML is the best trial in the config's own format.
        Map<String, Object> best = (Map<String, Object>) ReportData.of(new StudyDirectory(study)).get("best");
        JsonNode yaml = new ObjectMapper(new YAMLFactory()).readTree((String) best.get("yaml"));
        Map<String, Object> bestParams = (Map<String, Object>) best.get("params");
        assertEquals(bestParams.get("template"), yaml.get("baseline").get("template").asText());
        assertEquals(((Number) bestParams.get("temperature")).doubleValue(), yaml.get("baseline").get("params").get("temperature").asDouble(), 1e-3);
        String tpl = (String) bestParams.get("template");
        assertEquals(tpl.equals("careful") ? "Review: {{text}}" : "{{text}}", yaml.get("templates").get(tpl).get("user").asText());

        long calls = FakeProvider.CALLS.get();
        out.reset();
        err.reset();
        assertEquals(0, Main.run("tune", c.toString(), "--no-progress"), err());
        assertTrue(err().contains("resuming study 'fake-study': 8 trials already done"), err());
        List<Trial> trials;
        try (JournalStorage s = new JournalStorage(study.resolve("trials.jsonl"))) {
            trials = s.trials("fake-study");
        }
        assertEquals(8, trials.size(), "a finished study runs no more trials");
        assertEquals(24, FakeProvider.CALLS.get() - calls, "only the held-out re-scoring (2 x 12) runs again");
    }

    @Test
    void reportCommandWritesWhereAsked() throws Exception {
        assertEquals(0, Main.run("tune", config(3).toString(), "--no-progress", "--no-report"), err());
        Path study = dir.resolve("out/fake-study");
        assertFalse(Files.exists(study.resolve("report.html")));
        Path target = dir.resolve("elsewhere/r.html");
        assertEquals(0, Main.run("report", study.toString(), "-o", target.toString()));
        assertTrue(Files.readString(target).contains("id=\"report-data\""));
        assertEquals(Main.EXIT_USAGE, Main.run("report", dir.toString()));
        assertTrue(err().contains("is not a study"), err());
    }

    @Test
    void evalScoresOneConfiguration() throws Exception {
        Path c = config(3);
        assertEquals(0, Main.run("eval", c.toString(), "--params", "template=careful", "temperature=0.1", "--json",
                "--save", dir.resolve("o.jsonl").toString()));
        JsonNode j = new ObjectMapper().readTree(out());
        assertEquals("careful", j.get("params").get("template").asText());
        assertEquals(12, j.get("examples").asInt());
        double careful = j.get("metrics").get("exact_match").get("mean").asDouble();
        assertEquals(12, Files.readAllLines(dir.resolve("o.jsonl")).size());
        out.reset();
        assertEquals(0, Main.run("eval", c.toString(), "--json"));
        double baseline = new ObjectMapper().readTree(out()).get("metrics").get("exact_match").get("mean").asDouble();
        assertTrue(careful > baseline, careful + " vs " + baseline);
        assertEquals(Main.EXIT_USAGE, Main.run("eval", c.toString(), "--params", "template=nope"));
        assertTrue(err().contains("--params template: expected one of [terse, careful], got \"nope\""), err());
    }

    @Test
    void badConfigIsExitCodeTwoWithOneClearLine() throws Exception {
        Path c = config(3);
        Files.writeString(c, Files.readString(c).replace("sampler: random", "sampler: best"));
        assertEquals(Main.EXIT_USAGE, Main.run("tune", c.toString()));
        assertEquals("error: " + c + ":12: sampler: expected one of [auto, random, grid, sobol, tpe, tpe-univariate, gp], got \"best\"",
                err().strip());
    }

    @Test
    void everyCommandHasHelpWithExamples() {
        for (String cmd : List.of("tune", "eval", "report", "demo")) {
            out.reset();
            assertEquals(0, Main.run(cmd, "--help"));
            assertTrue(out().contains("Usage: promptune " + cmd), out());
            assertTrue(out().contains("Example"), cmd + " help has examples");
        }
    }
}
