package io.promptune.optimizer;

import io.promptune.optimizer.samplers.RandomSampler;
import io.promptune.optimizer.storage.PostgresStorage;
import io.promptune.optimizer.storage.Storages;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs against a real PostgreSQL server: `source scripts/ci-postgres.sh` starts one and exports
 * PROMPTUNE_TEST_PG_URL. Skipped only when that variable is unset.
 */
class PostgresStorageTest {
    static String url;

    @BeforeAll
    static void needServer() {
        url = System.getenv("PROMPTUNE_TEST_PG_URL");
        assumeTrue(url != null && !url.isBlank(), "PROMPTUNE_TEST_PG_URL is not set (source scripts/ci-postgres.sh)");
    }

    static SearchSpace space() {
        return SearchSpace.builder().floatParam("x", 0, 1).categorical("c", List.of("a", "b", "c")).build();
    }

    static String freshName() {
        return "test-" + UUID.randomUUID();
    }

    @Test
    void twoWorkersShareOneStudyWithoutDuplicates() throws Exception {
        String name = freshName();
        try (PostgresStorage a = new PostgresStorage(url); PostgresStorage b = new PostgresStorage(url)) {
            Study sa = Study.builder().name(name).space(space()).directions(Direction.MINIMIZE).storage(a).sampler(new RandomSampler(1)).build();
            Study sb = Study.builder().name(name).space(space()).directions(Direction.MINIMIZE).storage(b).sampler(new RandomSampler(2)).build();
            for (int i = 0; i < 10; i++) sa.enqueue(Map.of("x", i / 10.0, "c", "a"));
            Set<Integer> evaluated = ConcurrentHashMap.newKeySet();
            Objective f = t -> {
                assertTrue(evaluated.add(t.number()), "trial " + t.number() + " evaluated twice");
                return Evaluation.of((double) t.param("x"));
            };
            Thread ta = Thread.ofPlatform().start(() -> sa.optimize(f, 20, 2));
            Thread tb = Thread.ofPlatform().start(() -> sb.optimize(f, 20, 2));
            ta.join();
            tb.join();
            List<Trial> ts = sa.trials();
            assertEquals(40, ts.size());
            Set<Integer> numbers = new HashSet<>();
            for (Trial t : ts) {
                assertTrue(numbers.add(t.number()));
                assertEquals(TrialState.COMPLETE, t.state(), "trial " + t.number());
            }
            assertEquals(Set.copyOf(java.util.stream.IntStream.range(0, 40).boxed().toList()), numbers);
            long enqueuedRuns = ts.stream().filter(t -> t.number() < 10).count();
            assertEquals(10, enqueuedRuns);
            assertEquals(0.0, sb.bestTrial().orElseThrow().value());
        }
    }

    @Test
    void resumeAfterCrashRequeuesOnceAndKeepsEverything() {
        String name = freshName();
        Instant longAgo = Instant.now().minus(Duration.ofHours(1));
        try (var st = Storages.open(url)) {
            Study s = Study.builder().name(name).space(space()).directions(Direction.MAXIMIZE).storage(st).sampler(new RandomSampler(3)).build();
            s.optimize(t -> Evaluation.ofScores(List.of(0.5, 1.0)), 3);
            st.createTrial(name, Trial.waiting(-1, Map.of("x", 0.25, "c", "b"), Map.of()).toBuilder()
                    .state(TrialState.RUNNING).worker("crashed").startedAt(longAgo).heartbeat(longAgo).build());
        }
        try (var st1 = Storages.open(url); var st2 = Storages.open(url)) {
            Study s1 = Study.builder().name(name).space(space()).storage(st1).sampler(new RandomSampler(4)).build();
            Study s2 = Study.builder().name(name).space(space()).storage(st2).sampler(new RandomSampler(5)).build();
            assertEquals(List.of(Direction.MAXIMIZE), s1.directions(), "directions come from the stored study");
            List<Trial> ts = s2.trials();
            assertEquals(5, ts.size(), "the crashed trial is re-queued exactly once");
            assertEquals(TrialState.FAILED, ts.get(3).state());
            assertEquals(TrialState.WAITING, ts.get(4).state());
            Trial rerun = s1.runOne(t -> Evaluation.of((double) t.param("x")));
            assertEquals(4, rerun.number());
            assertEquals(0.25, rerun.value());
            assertEquals(0.75, s1.trial(0).mean());
            assertThrows(IllegalStateException.class, () -> st1.updateTrial(name, rerun.toBuilder().state(TrialState.FAILED).build()),
                    "a finished trial cannot be changed");
        }
    }

    @Test
    void badUrlGivesAClearMessageWithoutCredentials() {
        var e = assertThrows(IllegalStateException.class, () -> new PostgresStorage("jdbc:postgresql://127.0.0.1:1/nope?user=u&password=secret"));
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
        assertTrue(e.getMessage().contains("PostgreSQL"), e.getMessage());
    }
}
