package io.promptune.optimizer.tuning;

import io.promptune.datasets.Example;
import io.promptune.evaluators.Metric;
import io.promptune.evaluators.Score;
import io.promptune.optimizer.Direction;
import io.promptune.optimizer.SearchSpace;
import io.promptune.optimizer.Study;
import io.promptune.optimizer.Trial;
import io.promptune.optimizer.TrialState;
import io.promptune.optimizer.samplers.Samplers;
import io.promptune.optimizer.storage.JournalStorage;
import io.promptune.optimizer.pruners.RacingPruner;
import io.promptune.datasets.PromptTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

class TunerTest {
    static final SearchSpace SPACE = SearchSpace.builder()
            .floatParam("temperature", 0.0, 1.5)
            .categorical("template", List.of("terse", "careful"))
            .build();

    static List<Example> examples(String prefix, int n) {
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String text = prefix + " review " + i + (i % 2 == 0 ? " was good" : " was bad");
            out.add(new Example(prefix + i, Map.of("text", text), List.of(i % 2 == 0 ? "positive" : "negative"), Map.of()));
        }
        return out;
    }

    static final Metric ACCURACY = new Metric() {
        @Override public Score score(String output, Example example) { return Score.of(output.trim().equals(example.reference())); }
        @Override public String name() { return "accuracy"; }
    };

    Tuner.Builder builder(FakeModel model, Study study, int trials) {
        return Tuner.builder()
                .model(model)
                .tuneExamples(examples("tune", 40))
                .testExamples(examples("test", 60))
                .template("terse", PromptTemplate.chat(null, "{{text}}"))
                .template("careful", PromptTemplate.chat("Classify the sentiment. Answer with one word.", "Review: {{text}}"))
                .baseline("terse", Map.of("temperature", 1.0))
                .metric(ACCURACY)
                .objective("accuracy", Direction.MAXIMIZE)
                .budget(Budget.trials(trials))
                .study(study);
    }

    static Study study(Path file, String sampler) {
        return Study.builder().name("t").space(SPACE).directions(Direction.MAXIMIZE)
                .sampler(Samplers.create(sampler, 3)).pruner(new RacingPruner())
                .storage(new JournalStorage(file)).build();
    }

    @Test
    void findsTheGoodRegionAndBeatsTheBaselineOnHeldOutData(@TempDir Path dir) {
        Study study = study(dir.resolve("trials.jsonl"), "auto");
        TuningResult r = builder(new FakeModel(), study, 30).build().run();

        assertFalse(r.interrupted());
        assertEquals(30, r.trials());
        Trial first = study.trials().getFirst();
        assertEquals(Map.of("template", "terse", "temperature", 1.0), first.params(), "the baseline is trial 0");
        assertEquals("careful", r.bestParams().get("template"));
        assertTrue(((Number) r.bestParams().get("temperature")).doubleValue() < 0.6, "best " + r.bestParams());
        assertTrue(r.pruned() > 0, "racing pruned nothing");
        assertTrue(r.modelCallsSavedByPruning() > 0);
        HeldOutComparison c = r.comparison();
        assertNotNull(c);
        assertTrue(c.difference() > 0.2, "difference " + c.difference());
        assertTrue(c.significant() && c.pValue() < 0.05 && c.ciLow() > 0, c.toString());
        assertEquals(60, r.bestHeldOut().examples().size());
    }

    @Test
    void interruptedRunResumesWithoutLosingOrRepeatingATrial(@TempDir Path dir) {
        Path journal = dir.resolve("trials.jsonl");
        FakeModel model = new FakeModel();
        Tuner[] holder = new Tuner[1];
        AtomicInteger batches = new AtomicInteger();
        model.afterEachBatch = () -> { if (batches.incrementAndGet() == 17) holder[0].stop(); };
        holder[0] = builder(model, study(journal, "random"), 12).build();
        TuningResult first = holder[0].run();
        assertTrue(first.interrupted());
        assertNull(first.comparison(), "no held-out scoring after an interrupt");
        List<Trial> afterStop = study(journal, "random").trials();
        Trial interrupted = afterStop.stream().filter(t -> t.state() == TrialState.FAILED).findFirst().orElseThrow();
        assertEquals(Boolean.TRUE, interrupted.userAttrs().get(Tuner.ATTR_INTERRUPTED));
        List<Trial> doneBefore = afterStop.stream().filter(t -> t.state() != TrialState.FAILED && t.state().isFinished()).toList();
        assertTrue(doneBefore.size() >= 1 && doneBefore.size() < 12, "finished " + doneBefore.size());

        TuningResult second = builder(new FakeModel(), study(journal, "random"), 12).build().run();
        assertFalse(second.interrupted());
        assertEquals(12, second.trials());
        List<Trial> all = study(journal, "random").trials();
        assertTrue(all.stream().allMatch(t -> t.state().isFinished()), "nothing left running or waiting");
        assertEquals(13, all.size(), "12 counted trials plus the interrupted attempt");
        for (Trial t : doneBefore) assertEquals(t, all.get(t.number()), "earlier trials are untouched");
        List<Trial> reruns = all.stream().filter(t -> t.params().equals(interrupted.params()) && t.number() != interrupted.number()).toList();
        assertEquals(1, reruns.size(), "the interrupted configuration runs again exactly once");
        assertEquals(interrupted.number(), ((Number) reruns.getFirst().userAttrs().get(Tuner.ATTR_RETRY_OF)).intValue());
        assertEquals(12, Tuner.counted(all).size());
        assertEquals(Map.of("template", "terse", "temperature", 1.0), all.getFirst().params(), "the baseline stays trial 0");
    }
}
