package io.promptune.optimizer.tuning;

import io.promptune.datasets.Example;
import io.promptune.evaluators.Metric;
import io.promptune.evaluators.Score;
import io.promptune.optimizer.tuning.interim.JournalStudy;
import io.promptune.optimizer.tuning.interim.ParamSpec;
import io.promptune.optimizer.tuning.interim.SimpleTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

class TunerTest {
    static final List<ParamSpec> SPACE = List.of(
            ParamSpec.floatRange("temperature", 0.0, 1.5),
            ParamSpec.categorical("template", List.of("terse", "careful")));

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

    Tuner.Builder builder(FakeModel model, StudyPort study, int trials) {
        return Tuner.builder()
                .model(model)
                .tuneExamples(examples("tune", 40))
                .testExamples(examples("test", 60))
                .template("terse", new SimpleTemplate(null, "{{text}}"))
                .template("careful", new SimpleTemplate("Classify the sentiment. Answer with one word.", "Review: {{text}}"))
                .baseline("terse", Map.of("temperature", 1.0))
                .metric(ACCURACY)
                .objective(Objective.maximize("accuracy"))
                .budget(Budget.trials(trials))
                .study(study);
    }

    static JournalStudy study(Path file) {
        return new JournalStudy(file, "t", SPACE, 3, true, 3);
    }

    @Test
    void findsTheGoodRegionAndBeatsTheBaselineOnHeldOutData(@TempDir Path dir) {
        JournalStudy study = study(dir.resolve("trials.jsonl"));
        TuningResult r = builder(new FakeModel(), study, 30).build().run();

        assertFalse(r.interrupted());
        assertEquals(30, r.trials());
        TrialRow first = study.trials().getFirst();
        assertEquals(Map.of("template", "terse", "temperature", 1.0), first.params(), "the baseline is trial 0");
        assertEquals("careful", r.bestParams().get("template"));
        assertTrue(((Number) r.bestParams().get("temperature")).doubleValue() < 0.6, "best " + r.bestParams());
        assertTrue(r.pruned() > 0, "racing pruned nothing");
        assertTrue(r.modelCallsSavedByPruning() > 0);
        PairedComparison c = r.comparison();
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
        holder[0] = builder(model, study(journal), 12).build();
        TuningResult first = holder[0].run();
        assertTrue(first.interrupted());
        assertNull(first.comparison(), "no held-out scoring after an interrupt");
        List<TrialRow> afterStop = JournalStudy.read(journal);
        long finished = afterStop.stream().filter(TrialRow::finished).count();
        assertTrue(finished >= 1 && finished < 12, "finished " + finished);
        TrialRow unfinished = afterStop.stream().filter(t -> !t.finished()).findFirst().orElseThrow();

        TuningResult second = builder(new FakeModel(), study(journal), 12).build().run();
        assertFalse(second.interrupted());
        assertEquals(12, second.trials());
        List<TrialRow> all = JournalStudy.read(journal);
        assertEquals(12, all.size());
        for (int i = 0; i < 12; i++) {
            assertEquals(i, all.get(i).number());
            assertTrue(all.get(i).finished());
        }
        assertEquals(unfinished.params(), all.get(unfinished.number()).params(), "the interrupted trial is re-run as itself");

        // The same study run without interruption tries exactly the same configurations.
        JournalStudy straight = study(dir.resolve("straight.jsonl"));
        builder(new FakeModel(), straight, 12).build().run();
        for (int i = 0; i < 12; i++) assertEquals(straight.trials().get(i).params(), all.get(i).params(), "trial " + i);
        assertEquals(straight.trials().get(11).value(), all.get(11).value());
    }
}
