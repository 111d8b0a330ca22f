package io.promptune.optimizer;

import io.promptune.optimizer.benchmark.TestFunctions;
import io.promptune.optimizer.samplers.GpSampler;
import io.promptune.optimizer.samplers.GridSampler;
import io.promptune.optimizer.samplers.RandomSampler;
import io.promptune.optimizer.samplers.Samplers;
import io.promptune.optimizer.samplers.SobolSampler;
import io.promptune.optimizer.samplers.TpeSampler;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class SamplersTest {
    static double bestAfter(Sampler s, TestFunctions.Problem p, int trials) {
        Study st = Study.builder().space(p.space()).directions(Direction.MINIMIZE).sampler(s).build();
        st.optimize(Objective.of(p.f()), trials);
        return p.regret(st.bestTrial().orElseThrow().value());
    }

    @Test
    void gpSolvesBraninFarBetterThanRandom() {
        TestFunctions.Problem branin = TestFunctions.byName("branin");
        double gp = bestAfter(new GpSampler(7), branin, 30);
        double random = bestAfter(new RandomSampler(7), branin, 30);
        assertTrue(gp < 0.05, "GP regret after 30 trials: " + gp);
        assertTrue(gp < random / 5, "GP " + gp + " vs random " + random);
    }

    @Test
    void tpeBeatsRandomOnAverage() {
        TestFunctions.Problem h6 = TestFunctions.byName("hartmann6");
        double tpe = 0, random = 0;
        for (int seed = 0; seed < 3; seed++) {
            tpe += bestAfter(TpeSampler.builder().seed(seed).build(), h6, 60);
            random += bestAfter(new RandomSampler(seed), h6, 60);
        }
        assertTrue(tpe < random, "TPE " + tpe / 3 + " vs random " + random / 3);
    }

    @Test
    void mixedSpaceWithCategoricalsIsHandledByEverySampler() {
        TestFunctions.Problem prompt = TestFunctions.byName("prompt");
        for (String name : Samplers.NAMES) {
            Study st = Study.builder().space(prompt.space()).directions(Direction.MINIMIZE).sampler(Samplers.create(name, 3)).build();
            st.optimize(Objective.of(prompt.f()), 15);
            assertTrue(st.trials().stream().allMatch(Trial::isComplete), name + ": " + st.trials());
            for (Trial t : st.trials()) {
                assertTrue(List.of("plain", "role", "cot", "few_shot", "json").contains(t.stringParam("template")));
                long mt = t.longParam("max_tokens");
                assertTrue(mt >= 16 && mt <= 512);
            }
        }
    }

    @Test
    void gpLearnsThatOneCategoricalMattersOnTheMixedSurface() {
        TestFunctions.Problem prompt = TestFunctions.byName("prompt");
        double gp = bestAfter(new GpSampler(11), prompt, 40);
        double random = bestAfter(new RandomSampler(11), prompt, 40);
        assertTrue(gp < random, "GP " + gp + " vs random " + random);
    }

    @Test
    void conditionalParametersAppearOnlyWhenActive() {
        SearchSpace space = SearchSpace.builder().categorical("do_sample", List.of(true, false))
                .intParam("top_k", 1, 50).when("do_sample", true)
                .floatParam("temperature", 0, 1).build();
        for (String name : Samplers.NAMES) {
            Study st = Study.builder().space(space).sampler(Samplers.create(name, 5)).build();
            st.optimize(t -> Evaluation.of(Boolean.TRUE.equals(t.param("do_sample")) ? ((Number) t.param("top_k")).doubleValue() / 50 : 0.2), 20);
            for (Trial t : st.trials()) {
                assertTrue(t.isComplete(), name + " " + t.error());
                assertEquals(Boolean.TRUE.equals(t.param("do_sample")), t.params().containsKey("top_k"), name + " " + t.params());
            }
        }
    }

    @Test
    void gridVisitsEveryPointOnceBeforeRepeating() {
        SearchSpace space = SearchSpace.builder().categorical("a", List.of("x", "y", "z")).intParam("k", 1, 4).build();
        Study st = Study.builder().space(space).sampler(new GridSampler(1)).build();
        st.optimize(t -> Evaluation.of(1), 12);
        Set<Map<String, Object>> seen = new HashSet<>();
        for (Trial t : st.trials()) assertTrue(seen.add(t.params()), "repeated " + t.params());
        assertEquals(12, seen.size());
    }

    @Test
    void sobolPointsAreBalanced() {
        SearchSpace space = SearchSpace.builder().floatParam("u", 0, 1).floatParam("v", 0, 1).build();
        Study st = Study.builder().space(space).sampler(new SobolSampler(3)).build();
        st.optimize(t -> Evaluation.of(1), 64);
        int[] cells = new int[16]; // 4x4 grid: a (0,m,2)-net in base 2 puts 4 points in each cell
        for (Trial t : st.trials()) cells[(int) (t.doubleParam("u") * 4) * 4 + (int) (t.doubleParam("v") * 4)]++;
        for (int c : cells) assertEquals(4, c);
    }

    @Test
    void parallelGpProposalsDifferWhileTrialsArePending() {
        SearchSpace space = SearchSpace.builder().floatParam("x", 0, 1).floatParam("y", 0, 1).build();
        Study st = Study.builder().space(space).directions(Direction.MINIMIZE).sampler(new GpSampler(2)).build();
        st.optimize(t -> Evaluation.of(Math.pow((double) t.param("x") - 0.3, 2) + Math.pow((double) t.param("y") - 0.6, 2)), 10);
        RunningTrial a = st.ask(), b = st.ask();
        assertNotEquals(a.params(), b.params());
    }
}
