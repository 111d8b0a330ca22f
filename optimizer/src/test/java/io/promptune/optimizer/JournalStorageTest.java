package io.promptune.optimizer;

import io.promptune.optimizer.samplers.RandomSampler;
import io.promptune.optimizer.storage.JournalStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class JournalStorageTest {
    @TempDir
    Path dir;

    static SearchSpace space() {
        return SearchSpace.builder().floatParam("x", 0, 1).intParam("k", 1, 10).build();
    }

    @Test
    void trialsSurviveReopening() throws Exception {
        Path file = dir.resolve("study.jsonl");
        try (JournalStorage st = new JournalStorage(file)) {
            Study s = Study.builder().name("s").space(space()).storage(st).sampler(new RandomSampler(1)).build();
            s.enqueue(Map.of("x", 0.5, "k", 3));
            s.optimize(t -> {
                t.setUserAttr("note", "hi");
                return Evaluation.ofScores(List.of(0.25, 0.75)).withModelCalls(2);
            }, 5);
        }
        try (JournalStorage st = new JournalStorage(file)) {
            Study s = Study.builder().name("s").space(space()).storage(st).sampler(new RandomSampler(1)).build();
            List<Trial> ts = s.trials();
            assertEquals(5, ts.size());
            assertEquals(0.5, ts.getFirst().doubleParam("x"));
            assertEquals(3L, ts.getFirst().param("k"));
            assertEquals("hi", ts.get(2).userAttrs().get("note"));
            assertEquals(2, ts.get(2).modelCalls());
            assertEquals(0.5, ts.get(2).mean());
            assertEquals(List.of(Direction.MAXIMIZE), s.directions());
            s.optimize(t -> Evaluation.of(1), 2);
            assertEquals(7, s.trials().size());
        }
    }

    @Test
    void tornLastLineIsIgnoredAndWritingContinues() throws Exception {
        Path file = dir.resolve("torn.jsonl");
        try (JournalStorage st = new JournalStorage(file)) {
            Study s = Study.builder().name("s").space(space()).storage(st).sampler(new RandomSampler(2)).build();
            s.optimize(t -> Evaluation.of(1), 3);
        }
        Files.writeString(file, "{\"op\":\"create_trial\",\"study\":\"s\",\"tri", StandardOpenOption.APPEND);
        try (JournalStorage st = new JournalStorage(file)) {
            Study s = Study.builder().name("s").space(space()).storage(st).sampler(new RandomSampler(2)).build();
            assertEquals(3, s.trials().size());
            s.optimize(t -> Evaluation.of(2), 2);
            assertEquals(5, s.trials().size());
        }
        try (JournalStorage st = new JournalStorage(file)) {
            assertEquals(5, st.trials("s").size());
            assertEquals(TrialState.COMPLETE, st.trials("s").get(4).state());
        }
    }

    @Test
    void crashedRunningTrialIsFailedAndRequeuedOnce() throws Exception {
        Path file = dir.resolve("crash.jsonl");
        Instant longAgo = Instant.now().minus(Duration.ofHours(1));
        try (JournalStorage st = new JournalStorage(file)) {
            st.createOrLoadStudy("s", List.of(Direction.MINIMIZE));
            st.createTrial("s", Trial.waiting(-1, Map.of("x", 0.1, "k", 2L), Map.of()).toBuilder()
                    .state(TrialState.RUNNING).worker("dead").startedAt(longAgo).heartbeat(longAgo).build());
        }
        try (JournalStorage st = new JournalStorage(file)) {
            Study s = Study.builder().name("s").space(space()).storage(st).sampler(new RandomSampler(3)).build();
            Study other = Study.builder().name("s").space(space()).storage(st).sampler(new RandomSampler(3)).build();
            List<Trial> ts = s.trials();
            assertEquals(2, ts.size(), "one re-queue, even with two workers recovering");
            assertEquals(TrialState.FAILED, ts.get(0).state());
            assertTrue(ts.get(0).error().contains("dead"));
            assertEquals(TrialState.WAITING, ts.get(1).state());
            assertEquals(0, ts.get(1).userAttrs().get("retry_of") instanceof Number n ? n.intValue() : -1);
            s.optimize(t -> Evaluation.of((double) t.param("x")), 1);
            assertEquals(0.1, s.trials().get(1).value());
            assertEquals(0, other.recoverStaleTrials());
        }
    }

    @Test
    void twoStoragesOnOneFileShareTrialNumbers() throws Exception {
        Path file = dir.resolve("shared.jsonl");
        try (JournalStorage a = new JournalStorage(file); JournalStorage b = new JournalStorage(file)) {
            Study sa = Study.builder().name("s").space(space()).storage(a).sampler(new RandomSampler(4)).build();
            Study sb = Study.builder().name("s").space(space()).storage(b).sampler(new RandomSampler(5)).build();
            Thread ta = Thread.ofVirtual().start(() -> sa.optimize(t -> Evaluation.of(1), 15));
            Thread tb = Thread.ofVirtual().start(() -> sb.optimize(t -> Evaluation.of(2), 15));
            ta.join();
            tb.join();
            List<Trial> ts = sa.trials();
            assertEquals(30, ts.size());
            for (int i = 0; i < ts.size(); i++) assertEquals(i, ts.get(i).number());
            assertTrue(ts.stream().allMatch(t -> t.state() == TrialState.COMPLETE));
        }
    }
}
