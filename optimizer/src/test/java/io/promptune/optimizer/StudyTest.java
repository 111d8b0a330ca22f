package io.promptune.optimizer;

import io.promptune.optimizer.samplers.RandomSampler;
import io.promptune.optimizer.storage.InMemoryStorage;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class StudyTest {
    static SearchSpace space() {
        return SearchSpace.builder().floatParam("x", -5, 5).categorical("c", List.of("a", "b")).build();
    }

    @Test
    void askTellAndBest() {
        Study s = Study.builder().space(space()).directions(Direction.MINIMIZE).sampler(new RandomSampler(1)).build();
        for (int i = 0; i < 20; i++) {
            RunningTrial t = s.ask();
            double x = (double) t.param("x");
            s.tell(t, Evaluation.of(x * x + ("a".equals(t.param("c")) ? 0 : 1)));
        }
        Trial best = s.bestTrial().orElseThrow();
        for (Trial t : s.trials()) assertTrue(best.value() <= t.value());
        assertEquals(20, s.trials().size());
        assertEquals(20, s.stateCounts().get(TrialState.COMPLETE));
    }

    @Test
    void badResultsAreRecordedAsFailedAndTheStudyGoesOn() {
        Study s = Study.builder().space(space()).sampler(new RandomSampler(2)).build();
        int[] k = {0};
        s.optimize(t -> switch (k[0]++ % 4) {
            case 0 -> Evaluation.of(Double.NaN);
            case 1 -> throw new IllegalStateException("model server down");
            case 2 -> Evaluation.of(1, 2); // wrong number of values
            default -> Evaluation.of(0.5);
        }, 8);
        List<Trial> ts = s.trials();
        assertEquals(8, ts.size());
        assertEquals(TrialState.FAILED, ts.get(0).state());
        assertTrue(ts.get(0).error().contains("non-finite"), ts.get(0).error());
        assertTrue(ts.get(1).error().contains("model server down"));
        assertTrue(ts.get(2).error().contains("2 value(s)"));
        assertEquals(TrialState.COMPLETE, ts.get(3).state());
        assertEquals(0.5, s.bestTrial().orElseThrow().value());
    }

    @Test
    void enqueuedBaselineRunsFirst() {
        Study s = Study.builder().space(space()).sampler(new RandomSampler(3)).build();
        s.enqueue(Map.of("x", 1.25, "c", "b"));
        s.optimize(t -> Evaluation.of((double) t.param("x")), 3);
        Trial first = s.trials().getFirst();
        assertEquals(0, first.number());
        assertEquals(1.25, first.doubleParam("x"));
        assertEquals("b", first.param("c"));
        assertTrue(s.enqueueIfNew(Map.of("x", 1.25, "c", "b")).isEmpty());
        assertThrows(SearchSpaceException.class, () -> s.enqueue(Map.of("x", 9.0, "c", "b")));
    }

    @Test
    void noisyIncumbentPrefersTheSaferTrial() {
        Study s = Study.builder().space(space()).directions(Direction.MAXIMIZE).sampler(new RandomSampler(4)).build();
        RunningTrial lucky = s.ask();
        s.tell(lucky, Evaluation.ofScores(List.of(1.0, 1.0, 0.0, 1.0, 0.0, 1.0))); // 0.667 +- 0.21
        RunningTrial steady = s.ask();
        s.tell(steady, Evaluation.ofScores(List.of(0.6, 0.65, 0.6, 0.62, 0.6, 0.63))); // 0.617 +- 0.008
        assertEquals(steady.number(), s.bestTrial().orElseThrow().number());
        Study plain = Study.builder().space(space()).directions(Direction.MAXIMIZE).incumbentRule(IncumbentRule.BEST_VALUE)
                .storage(s.storage()).name(s.name()).sampler(new RandomSampler(4)).build();
        assertEquals(lucky.number(), plain.bestTrial().orElseThrow().number());
        Trial t = s.trial(lucky.number());
        assertEquals(6, t.perExampleScores().size());
        assertEquals(0.6667, t.mean(), 1e-3);
        assertEquals(0.2108, t.standardError(), 1e-3);
    }

    @Test
    void constraintsAndParetoFront() {
        SearchSpace sp = SearchSpace.builder().floatParam("x", 0, 1).build();
        Study s = Study.builder().space(sp).directions(Direction.MAXIMIZE, Direction.MINIMIZE).sampler(new RandomSampler(5)).build();
        s.optimize(t -> {
            double x = (double) t.param("x");
            double accuracy = x, tokens = 100 * Math.abs(x - 0.7) + 10;
            return Evaluation.of(accuracy, tokens).withConstraints(0.5 - accuracy); // accuracy >= 0.5
        }, 30);
        List<Trial> front = s.bestTrials();
        assertFalse(front.isEmpty());
        List<Direction> dirs = s.directions();
        for (Trial f : front) {
            assertTrue(f.isFeasible(), "an infeasible trial is on the front");
            for (Trial g : front) assertFalse(ParetoFront.dominates(g, f, dirs));
        }
        for (Trial t : s.trials())
            if (t.isFeasible() && !front.contains(t))
                assertTrue(front.stream().anyMatch(f -> ParetoFront.dominates(f, t, dirs)), "trial " + t.number() + " should be on the front");
        assertThrows(IllegalStateException.class, s::bestTrial);
    }

    @Test
    void constrainedSingleObjectiveIncumbentIsFeasible() {
        SearchSpace sp = SearchSpace.builder().floatParam("x", 0, 1).build();
        Study s = Study.builder().space(sp).directions(Direction.MINIMIZE).sampler(new RandomSampler(6)).build();
        s.optimize(t -> Evaluation.of((double) t.param("x")).withConstraints(0.3 - (double) t.param("x")), 30);
        Trial b = s.bestTrial().orElseThrow();
        assertTrue(b.isFeasible());
        assertTrue(b.value() >= 0.3);
    }

    @Test
    void parallelWorkersOnVirtualThreadsRunEachTrialOnce() {
        Study s = Study.builder().space(space()).sampler(new RandomSampler(7)).storage(new InMemoryStorage()).build();
        Set<Integer> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        s.optimize(t -> {
            assertTrue(seen.add(t.number()));
            Thread.sleep(5);
            return Evaluation.of(1);
        }, 40, 8);
        assertEquals(40, s.trials().size());
        assertEquals(40, seen.size());
        Set<Integer> numbers = new HashSet<>();
        for (Trial t : s.trials()) assertTrue(numbers.add(t.number()));
    }
}
