package io.promptune.optimizer;

import io.promptune.optimizer.samplers.Samplers;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** A categorical that grows while the study runs (instructions proposed from earlier trials). */
class StudyGrowingChoicesTest {
    static Study study(String sampler) {
        SearchSpace space = SearchSpace.builder()
                .categorical("instruction", List.of("a", "b"))
                .floatParam("temperature", 0, 1)
                .build();
        return Study.builder().name("g").space(space).directions(Direction.MAXIMIZE).sampler(Samplers.create(sampler, 5)).build();
    }

    /** Score: "good" choices are best, whatever the temperature. */
    static double objective(Map<String, Object> p) {
        String s = (String) p.get("instruction");
        return (s.startsWith("good") ? 1.0 : 0.2) - 0.1 * ((Number) p.get("temperature")).doubleValue();
    }

    @Test
    void extendingKeepsOldChoicesInPlaceAndSkipsDuplicates() {
        Study s = study("random");
        for (int i = 0; i < 3; i++) s.runOne(t -> Evaluation.of(objective(t.params())));
        List<Object> added = s.extendChoices("instruction", List.of("b", "good one", "good one"));
        assertEquals(List.of("good one"), added);
        ParamSpec.CategoricalParam c = (ParamSpec.CategoricalParam) s.space().param("instruction");
        assertEquals(List.of("a", "b", "good one"), c.choices());
        // every earlier trial still normalizes against the grown space
        for (Trial t : s.trials()) assertEquals(t.params(), s.space().normalize(t.params()));
        assertThrows(SearchSpaceException.class, () -> s.extendChoices("temperature", List.of(3)));
        assertThrows(SearchSpaceException.class, () -> s.extendChoices("missing", List.of("x")));
    }

    @Test
    void aValueCanBeQueuedOnlyAfterItJoinedTheSpace() {
        Study s = study("random");
        assertThrows(SearchSpaceException.class, () -> s.enqueue(Map.of("instruction", "good", "temperature", 0.5)));
        s.extendChoices("instruction", List.of("good"));
        Trial q = s.enqueue(Map.of("instruction", "good", "temperature", 0.5));
        assertEquals("good", s.runOne(t -> Evaluation.of(objective(t.params()))).params().get("instruction"));
        assertEquals(q.number(), s.trials().getLast().number());
    }

    @Test
    void samplersProposeChoicesAddedMidStudyAndLearnTheyAreBetter() {
        for (String name : List.of("random", "tpe", "tpe-univariate", "auto", "gp", "sobol")) {
            Study s = study(name);
            for (int i = 0; i < 12; i++) s.runOne(t -> Evaluation.of(objective(t.params())));
            s.extendChoices("instruction", List.of("good 1", "good 2"));
            s.enqueue(Map.of("instruction", "good 1", "temperature", 0.3));
            Set<Object> seen = new HashSet<>();
            for (int i = 0; i < 25; i++) seen.add(s.runOne(t -> Evaluation.of(objective(t.params()))).params().get("instruction"));
            assertTrue(s.trials().stream().allMatch(t -> t.state() == TrialState.COMPLETE), name + ": a trial failed");
            assertTrue(seen.contains("good 2"), name + " never proposed a choice added mid-study: " + seen);
            assertTrue(((String) s.bestTrial().orElseThrow().params().get("instruction")).startsWith("good"), name);
            if (!name.equals("random") && !name.equals("sobol")) {
                long good = s.trials().stream().skip(13).filter(t -> ((String) t.params().get("instruction")).startsWith("good")).count();
                assertTrue(good >= 12, name + " should favour the better new choices, chose them " + good + "/24 times");
            }
        }
    }
}
