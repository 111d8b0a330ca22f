package io.promptune.optimizer;

import io.promptune.optimizer.external.ExternalObjective;
import io.promptune.optimizer.samplers.RandomSampler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ExternalObjectiveTest {
    @TempDir
    Path dir;

    /** A bash objective: (x-0.3)^2, but misbehaves on chosen request numbers (1-based). */
    Path script() throws Exception {
        Path s = dir.resolve("objective.sh");
        Files.writeString(s, """
                #!/usr/bin/env bash
                n=$(cat "$0.count" 2>/dev/null || echo 0)
                while IFS= read -r line; do
                  n=$((n+1)); echo $n > "$0.count"
                  x=$(echo "$line" | sed -E 's/.*"x":([-0-9.eE]+).*/\\1/')
                  case $n in
                    2) echo "not a number";;
                    3) echo "about to crash" >&2; exit 7;;
                    4) echo "nan";;
                    *) awk -v x="$x" 'BEGIN { printf "%.10f\\n", (x-0.3)*(x-0.3) }';;
                  esac
                done
                """);
        s.toFile().setExecutable(true);
        return s;
    }

    @Test
    void misbehavingProcessFailsSingleTrialsAndIsRestarted() throws Exception {
        SearchSpace space = SearchSpace.builder().floatParam("x", 0, 1).build();
        Study s = Study.builder().space(space).directions(Direction.MINIMIZE).sampler(new RandomSampler(1)).build();
        try (ExternalObjective f = ExternalObjective.shell(script().toString(), Duration.ofSeconds(20), 1)) {
            s.optimize(f, 8);
            assertEquals(2, f.starts(), "restarted once after the crash");
        }
        List<Trial> ts = s.trials();
        assertEquals(8, ts.size());
        assertEquals(TrialState.COMPLETE, ts.get(0).state());
        assertEquals(Math.pow(ts.get(0).doubleParam("x") - 0.3, 2), ts.get(0).value(), 1e-8);
        assertTrue(ts.get(1).error().contains("not a number"), ts.get(1).error());
        assertTrue(ts.get(2).error().contains("exited (code 7)"), ts.get(2).error());
        assertTrue(ts.get(2).error().contains("about to crash"), ts.get(2).error());
        assertTrue(ts.get(3).error().contains("non-finite"), ts.get(3).error());
        for (int i = 4; i < 8; i++) assertEquals(TrialState.COMPLETE, ts.get(i).state());
    }

    @Test
    void silentProcessTimesOut() throws Exception {
        SearchSpace space = SearchSpace.builder().floatParam("x", 0, 1).build();
        Study s = Study.builder().space(space).sampler(new RandomSampler(1)).build();
        try (ExternalObjective f = ExternalObjective.shell("sleep 30", Duration.ofMillis(500), 1)) {
            s.optimize(f, 1);
        }
        assertTrue(s.trials().getFirst().error().contains("no answer"), s.trials().getFirst().error());
    }
}
