package io.promptune.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class ScoreCommandTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final CapturedStdStreams streams = new CapturedStdStreams();
    private final ByteArrayOutputStream out = streams.out, err = streams.err;

    private Path file(String content) throws Exception {
        Path p = dir.resolve("preds.jsonl");
        Files.writeString(p, content);
        return p;
    }

    @Test
    void printsEachScoreAndTheMean() throws Exception {
        Path p = file("""
                {"id": "a", "prediction": "Paris", "reference": "paris"}
                {"prediction": "The answer is Lyon", "references": ["Marseille", "Lyon"]}

                {"prediction": "London", "reference": "Paris"}
                """);
        assertEquals(0, Main.run("score", "--metric", "icontains", "--predictions", p.toString()));
        JsonNode j = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertEquals(3, j.get("n").asInt());
        assertEquals(2.0 / 3, j.get("mean").asDouble(), 1e-12);
        assertEquals(1.0, j.get("scores").get(0).get("score").asDouble());
        assertEquals("a", j.get("scores").get(0).get("id").asText());
        assertEquals(4, j.get("scores").get(2).get("line").asInt());
        assertEquals(0.0, j.get("scores").get(2).get("score").asDouble());
        assertTrue(j.get("ci95").get(0).asDouble() <= j.get("mean").asDouble());
    }

    @Test
    void optionsReachTheMetric() throws Exception {
        Path p = file("{\"prediction\": \"PARIS\", \"reference\": \"paris\"}\n");
        assertEquals(0, Main.run("score", "--metric", "exact_match", "--option", "ignore_case=true", "--predictions", p.toString()));
        assertEquals(1.0, new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8)).get("mean").asDouble());
    }

    @Test
    void badLinesAreReportedWithFileAndLine() throws Exception {
        Path p = file("""
                {"prediction": "8", "reference": "8"}
                {"prediction": 8, "reference": "8"}
                not json
                {"reference": "8"}
                {"prediction": "8", "reference": "eight"}
                """);
        assertEquals(Main.EXIT_USAGE, Main.run("score", "--metric", "numeric", "--predictions", p.toString()));
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.contains(p + ":2: field 'prediction': must be a string"), e);
        assertTrue(e.contains(p + ":3: malformed JSON"), e);
        assertTrue(e.contains(p + ":4: field 'prediction': missing"), e);
        assertTrue(e.contains(p + ":5: metric 'numeric'"), e);
        assertTrue(e.contains("4 bad lines"), e);
        assertEquals("", out.toString(StandardCharsets.UTF_8));

        err.reset();
        assertEquals(0, Main.run("score", "--metric", "numeric", "--skip-bad-lines", "--predictions", p.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("skipped 4 bad lines of 5"), err.toString(StandardCharsets.UTF_8));
        JsonNode j = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertEquals(1, j.get("n").asInt());
        assertEquals(4, j.get("skipped").asInt());
    }

    @Test
    void comparesWithABaselineOnSharedIds() throws Exception {
        StringBuilder a = new StringBuilder(), b = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            a.append("{\"id\": \"q").append(i).append("\", \"prediction\": \"").append(i < 10 ? "yes" : "no").append("\", \"reference\": \"yes\"}\n");
            b.append("{\"id\": \"q").append(i).append("\", \"prediction\": \"").append(i < 25 ? "yes" : "no").append("\", \"reference\": \"yes\"}\n");
        }
        b.append("{\"id\": \"only-in-b\", \"prediction\": \"yes\", \"reference\": \"yes\"}\n");
        Path base = dir.resolve("a.jsonl"), cand = dir.resolve("b.jsonl");
        Files.writeString(base, a);
        Files.writeString(cand, b);
        assertEquals(0, Main.run("score", "--metric", "exact_match", "--predictions", cand.toString(), "--baseline", base.toString()));
        JsonNode c = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8)).get("comparison");
        assertEquals(30, c.get("paired_n").asInt());
        assertEquals(10.0 / 30, c.get("baseline_mean").asDouble(), 1e-12);
        assertEquals(25.0 / 30, c.get("mean").asDouble(), 1e-12);
        assertEquals(0.5, c.get("diff").asDouble(), 1e-12);
        assertEquals(15, c.get("wins").asInt());
        assertEquals(0, c.get("losses").asInt());
        assertTrue(c.get("p_permutation").asDouble() < 0.001);
        assertEquals(2 * Math.pow(0.5, 15), c.get("p_sign").asDouble(), 1e-12);
    }

    @Test
    void unknownMetricOptionAndMissingFileAreUsageErrors() throws Exception {
        Path p = file("{\"prediction\": \"x\", \"reference\": \"x\"}\n");
        assertEquals(Main.EXIT_USAGE, Main.run("score", "--metric", "nope", "--predictions", p.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown metric 'nope'"));
        assertEquals(Main.EXIT_USAGE, Main.run("score", "--metric", "f1", "--option", "bogus=1", "--predictions", p.toString()));
        assertEquals(Main.EXIT_USAGE, Main.run("score", "--metric", "f1", "--predictions", dir.resolve("missing.jsonl").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no such file"));
        assertEquals(0, Main.run("score", "--metric", "list"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("rouge_l"));
    }
}
