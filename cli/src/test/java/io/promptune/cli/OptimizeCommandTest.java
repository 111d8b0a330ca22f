package io.promptune.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.promptune.optimizer.TrialJson;
import io.promptune.optimizer.TrialState;
import io.promptune.optimizer.storage.JournalStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class OptimizeCommandTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    static synchronized Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    Path space() throws Exception {
        Path p = dir.resolve("space.json");
        Files.writeString(p, """
                [{"name":"x","type":"float","low":-2,"high":2},
                 {"name":"mode","type":"categorical","choices":["good","bad"]}]
                """);
        return p;
    }

    /** A python objective: (x-0.5)^2 (+1 for mode bad); prints garbage on its 3rd request and dies on its 5th. */
    Path objective() throws Exception {
        Path p = dir.resolve("objective.py");
        Files.writeString(p, """
                import json, sys, os
                counter = sys.argv[1]
                n = int(open(counter).read()) if os.path.exists(counter) else 0
                for line in sys.stdin:
                    n += 1
                    open(counter, "w").write(str(n))
                    p = json.loads(line)
                    if n == 3:
                        print("oops", flush=True)
                    elif n == 5:
                        sys.exit(3)
                    else:
                        print((p["x"] - 0.5) ** 2 + (1 if p["mode"] == "bad" else 0), flush=True)
                """);
        return p;
    }

    @Test
    void optimizesAnExternalProgramAndSurvivesItsFailures() throws Exception {
        Path journal = dir.resolve("study.jsonl");
        String cmd = "python3 " + objective() + " " + dir.resolve("count");
        Run r = run("optimize", "--space", space().toString(), "--objective-cmd", cmd, "--trials", "25", "--seed", "1",
                "--sampler", "tpe", "--storage", journal.toString(), "--enqueue", "{\"x\":0.4,\"mode\":\"good\"}");
        assertEquals(0, r.code(), r.err());
        JsonNode best = TrialJson.MAPPER.readTree(r.out().strip());
        assertEquals("good", best.get("params").get("mode").asText());
        assertTrue(best.get("value").asDouble() <= 0.01 + 1e-12, r.out());
        assertTrue(r.err().contains("FAILED: the objective process printed 'oops'"), r.err());
        assertTrue(r.err().contains("exited (code 3)"), r.err());
        try (JournalStorage st = new JournalStorage(journal)) {
            var trials = st.trials("optimize");
            assertEquals(25, trials.size());
            assertEquals(0.4, trials.getFirst().doubleParam("x"), "the enqueued configuration runs first");
            assertEquals(2, trials.stream().filter(t -> t.state() == TrialState.FAILED).count());
        }
    }

    @Test
    void badSpaceIsAUsageErrorNamingTheField() throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "[{\"name\":\"lr\",\"type\":\"float\",\"low\":0,\"high\":1,\"log\":true}]");
        Run r = run("optimize", "--space", bad.toString(), "--objective-cmd", "cat", "--trials", "1");
        assertEquals(Main.EXIT_USAGE, r.code());
        assertTrue(r.err().contains("lr") && r.err().contains("log"), r.err());
    }

    @Test
    void programThatNeverAnswersGivesNoBestTrial() throws Exception {
        Run r = run("optimize", "--space", space().toString(), "--objective-cmd", "echo garbage; cat > /dev/null", "--trials", "2", "--timeout", "2", "--quiet");
        assertEquals(Main.EXIT_FAILED, r.code());
        assertTrue(r.err().contains("no trial completed"), r.err());
        assertEquals("", r.out());
    }
}
