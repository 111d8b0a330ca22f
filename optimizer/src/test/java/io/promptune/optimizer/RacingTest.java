package io.promptune.optimizer;

import io.promptune.optimizer.pruners.RacingPruner;
import io.promptune.optimizer.pruners.SuccessiveHalvingPruner;
import io.promptune.optimizer.samplers.RandomSampler;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class RacingTest {
    static final int EXAMPLES = 200;
    /** Example difficulty shared by every configuration (what pairing cancels). */
    static final double[] DIFFICULTY = new SplittableRandom(42).doubles(EXAMPLES, -2, 2).toArray();

    /** A configuration with skill q answers example i correctly when q beats its difficulty plus noise. */
    static double score(double skill, int i, int trial) {
        double noise = new SplittableRandom(trial * 1000L + i).nextGaussian() * 0.7;
        return skill + noise > DIFFICULTY[i] ? 1.0 : 0.0;
    }

    /** The objective the Tuner would write: score examples in order, report and ask after growing subsets. */
    static Objective racingObjective() {
        return t -> {
            double skill = (double) t.param("skill");
            t.setPlannedSteps(EXAMPLES);
            List<Double> scores = new ArrayList<>();
            int next = 10;
            for (int i = 0; i < EXAMPLES; i++) {
                scores.add(score(skill, i, t.number()));
                t.addModelCalls(1);
                if (i + 1 == next && i + 1 < EXAMPLES) {
                    t.reportIntermediate(i + 1, Stats.mean(scores), scores);
                    if (t.shouldPrune()) throw new TrialPrunedException();
                    next = (int) Math.ceil(next * 1.5);
                }
            }
            return Evaluation.ofScores(scores);
        };
    }

    static SearchSpace space() {
        return SearchSpace.builder().floatParam("skill", -2, 2).build();
    }

    @Test
    void pairedRacingStopsClearlyWorseTrialsAndKeepsTheBest() {
        Study s = Study.builder().space(space()).directions(Direction.MAXIMIZE).sampler(new RandomSampler(3))
                .pruner(new RacingPruner()).build();
        s.enqueue(java.util.Map.of("skill", 1.5)); // a strong baseline first
        s.optimize(racingObjective(), 30);
        long pruned = s.trials().stream().filter(t -> t.state() == TrialState.PRUNED).count();
        assertTrue(pruned >= 10, "expected most weaker trials to be stopped, got " + pruned);
        long saved = s.evaluationsSaved();
        assertTrue(saved > 30L * EXAMPLES / 3, "saved only " + saved);
        long calls = s.trials().stream().mapToLong(Trial::modelCalls).sum();
        assertEquals(30L * EXAMPLES - saved, calls, "saved examples = model calls not made");
        // The best trial has the highest skill among complete ones, within noise
        Trial best = s.bestTrial().orElseThrow();
        double maxSkill = s.trials().stream().filter(Trial::isComplete).mapToDouble(t -> t.doubleParam("skill")).max().orElseThrow();
        assertTrue(best.doubleParam("skill") > maxSkill - 0.5, "best " + best.params() + " vs max " + maxSkill);
        // No pruned trial was truly much better than the incumbent (pruning is conservative)
        for (Trial t : s.trials())
            if (t.state() == TrialState.PRUNED) assertTrue(t.doubleParam("skill") < best.doubleParam("skill") + 0.3, t.params().toString());
    }

    @Test
    void withoutPrunerNothingIsSaved() {
        Study s = Study.builder().space(space()).sampler(new RandomSampler(3)).build();
        s.optimize(racingObjective(), 5);
        assertEquals(0, s.evaluationsSaved());
        assertTrue(s.trials().stream().allMatch(Trial::isComplete));
    }

    @Test
    void successiveHalvingKeepsTheTopThirdAtEachRung() {
        Study s = Study.builder().space(space()).directions(Direction.MAXIMIZE).sampler(new RandomSampler(5))
                .pruner(new SuccessiveHalvingPruner(10, 3)).build();
        s.optimize(t -> {
            double skill = (double) t.param("skill");
            t.setPlannedSteps(90);
            for (int step : new int[]{10, 30}) {
                t.reportIntermediate(step, skill, List.of());
                if (t.shouldPrune()) throw new TrialPrunedException();
            }
            return Evaluation.of(skill);
        }, 30);
        long pruned = s.trials().stream().filter(t -> t.state() == TrialState.PRUNED).count();
        assertTrue(pruned >= 12, "pruned " + pruned);
        // A complete trial is never worse than a trial pruned before it at the first rung, by construction of ranking:
        double bestSkill = s.trials().stream().mapToDouble(t -> t.doubleParam("skill")).max().orElseThrow();
        assertEquals(bestSkill, s.bestTrial().orElseThrow().value(), 1e-12, "the best configuration must survive");
    }
}
