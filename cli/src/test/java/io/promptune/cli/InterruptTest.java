package io.promptune.cli;

import io.promptune.optimizer.Trial;
import io.promptune.optimizer.TrialState;
import io.promptune.optimizer.storage.JournalStorage;
import io.promptune.optimizer.tuning.Tuner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Ctrl-C for real: a `promptune tune` process gets SIGINT, stops cleanly, and a second run resumes. */
class InterruptTest {
    @Test
    void sigintStopsCleanlyAndTheNextRunResumes(@TempDir Path dir) throws Exception {
        assumeTrue(!System.getProperty("os.name").toLowerCase().contains("win"), "needs kill -INT");
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            rows.add("{\"id\": \"r" + i + "\", \"text\": \"item " + i + (i % 2 == 0 ? " was good" : " was bad") + "\", \"expected\": \""
                    + (i % 2 == 0 ? "positive" : "negative") + "\"}");
        }
        Files.write(dir.resolve("data.jsonl"), rows);
        Path config = dir.resolve("s.yaml");
        Files.writeString(config, """
                study: sig
                model: {provider: fake, name: q}
                dataset: {file: data.jsonl, test_fraction: 0.25}
                templates: {terse: {user: "{{text}}"}, careful: {system: "One word.", user: "{{text}}"}}
                baseline: {template: terse, params: {temperature: 1.0}}
                space: [{name: temperature, type: float, low: 0.0, high: 1.5}]
                metrics: ["exact_match"]
                budget: {trials: 10}
                sampler: random
                racing: false
                output: out
                """);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "-Dpromptune.fake.delayMs=40",
                "-cp", System.getProperty("java.class.path"), "io.promptune.cli.Main", "tune", config.toString(), "--no-progress")
                .redirectOutput(dir.resolve("stdout.txt").toFile()).start();
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        StringBuilder log = new StringBuilder();
        String line;
        while ((line = err.readLine()) != null) {
            log.append(line).append('\n');
            if (line.startsWith("trial 1 ")) break;   // two trials done, the third in flight
        }
        assertNotNull(line, "the run ended before two trials finished:\n" + log);
        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
        Thread drain = Thread.ofVirtual().start(() -> err.lines().forEach(l -> log.append(l).append('\n')));
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the process did not stop:\n" + log);
        drain.join(5000);
        assertEquals(Main.EXIT_INTERRUPTED, p.exitValue(), log.toString());
        assertTrue(log.toString().contains("Stopping after the requests in flight"), log.toString());
        assertTrue(Files.readString(dir.resolve("stdout.txt")).contains("Run the same command again to resume"));

        List<Trial> stopped = trials(dir);
        long done = stopped.stream().filter(t -> t.state() == TrialState.COMPLETE).count();
        assertTrue(done >= 2 && done < 10, "complete after the stop: " + done);
        assertTrue(stopped.stream().noneMatch(t -> t.state() == TrialState.RUNNING), "nothing left running");

        FakeProvider.delayMs = 0;
        assertEquals(0, Main.run("tune", config.toString(), "--no-progress"));
        List<Trial> all = trials(dir);
        assertEquals(10, Tuner.counted(all).size());
        assertTrue(all.stream().allMatch(t -> t.state().isFinished()));
        for (Trial t : all) {
            if (t.state() != TrialState.FAILED) continue;
            assertEquals(Boolean.TRUE, t.userAttrs().get(Tuner.ATTR_INTERRUPTED), "only the interrupted trial failed");
            assertEquals(1, all.stream().filter(o -> t.params().equals(o.params()) && o.state() == TrialState.COMPLETE).count(),
                    "its configuration ran again exactly once");
        }
        for (Trial t : stopped) if (t.state() == TrialState.COMPLETE) assertEquals(t, all.get(t.number()), "finished trials untouched");
    }

    static List<Trial> trials(Path dir) {
        try (JournalStorage s = new JournalStorage(dir.resolve("out/sig/trials.jsonl"))) {
            return s.trials("sig");
        }
    }
}
