package io.promptune.optimizer.promptsearch;

import io.promptune.datasets.Dataset;
import io.promptune.datasets.Example;
import io.promptune.datasets.Split;
import io.promptune.optimizer.tuning.Configuration;
import io.promptune.optimizer.tuning.Estimate;
import io.promptune.optimizer.tuning.Evaluation;
import io.promptune.optimizer.tuning.ExampleResult;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

class ShotStrategiesTest {
    final List<Example> tune = Fakes.reviews("tune", 12), test = Fakes.reviews("test", 6);
    final TuneSplitPool pool = TuneSplitPool.of(tune, test);

    @Test
    void aPoolRefusesAnExampleOnBothSidesAndAnyHeldOutShot() {
        List<Example> leaky = new ArrayList<>(tune);
        leaky.add(test.getFirst());
        assertThrows(IllegalArgumentException.class, () -> TuneSplitPool.of(leaky, test));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.check(List.of(test.get(1)), test.getFirst()));
        assertTrue(e.getMessage().contains("held-out"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> pool.check(List.of(tune.get(1)), tune.get(1)));
    }

    @Test
    void aPoolFromADatasetsSplitHoldsTheTuneSideOnly() {
        List<Example> all = new ArrayList<>(Fakes.reviews("x", 20));
        Split split = Split.byCount(new Dataset("d", all), 6, 3);
        TuneSplitPool p = TuneSplitPool.of(split.fewShotPool(), split.test().examples());
        assertEquals(14, p.size());
        for (Example e : split.test().examples()) {
            assertTrue(p.isHeldOut(e.id()));
            assertTrue(p.examples().stream().noneMatch(x -> x.id().equals(e.id())));
        }
    }

    @Test
    void randomShotsAreSeededSharedAndNeverTheQuery() {
        RandomShots a = new RandomShots(pool, 7), b = new RandomShots(pool, 7), c = new RandomShots(pool, 8);
        assertEquals(a.select(test.getFirst(), 4), b.select(test.getFirst(), 4));
        assertEquals(a.select(test.getFirst(), 4), a.select(test.get(1), 4), "the same shots for every query");
        assertNotEquals(a.select(test.getFirst(), 6), c.select(test.getFirst(), 6));
        Example first = a.select(test.getFirst(), 1).getFirst();
        assertFalse(a.select(first, 3).contains(first));
        assertEquals(3, a.select(first, 3).size());
    }

    @Test
    void nearestShotsAreTheMostSimilarInputsClosestLast() {
        List<Example> docs = List.of(
                new Example("a", Map.of("text", "the pasta was cold and bland"), List.of("negative"), Map.of()),
                new Example("b", Map.of("text", "great battery life on this phone"), List.of("positive"), Map.of()),
                new Example("c", Map.of("text", "the phone battery died quickly"), List.of("negative"), Map.of()),
                new Example("d", Map.of("text", "lovely garden and friendly staff"), List.of("positive"), Map.of()));
        TuneSplitPool p = TuneSplitPool.of(docs, List.of());
        NearestShots n = new NearestShots(p, new TfIdfEmbedder(docs.stream().map(TuneSplitPool::inputText).toList()), "tf-idf");
        Example q = new Example("q", Map.of("text", "phone battery is weak"), List.of("negative"), Map.of());
        List<Example> two = n.select(q, 2);
        assertEquals(2, two.size());
        assertTrue(two.stream().allMatch(e -> e.id().equals("b") || e.id().equals("c")), two.toString());
        assertEquals("c", two.getLast().id(), "the closest demonstration sits last, right before the question");
        assertFalse(n.select(docs.get(2), 3).contains(docs.get(2)));
    }

    @Test
    void bootstrappedShotsKeepWhatTheTeacherGotRightWithItsOwnOutputs() {
        AtomicInteger teacherRuns = new AtomicInteger();
        BootstrappedShots b = new BootstrappedShots(pool, examples -> {
            teacherRuns.incrementAndGet();
            List<ExampleResult> rs = new ArrayList<>();
            for (Example e : examples) {
                boolean right = !String.valueOf(e.inputs().get("text")).contains("so-so"); // the teacher fails on neutral ones
                String out = right ? " " + e.reference() + " " : "positive";
                rs.add(new ExampleResult(e.id(), e.inputs(), e.expected(), "", out, "EOS", null,
                        Map.of("accuracy", right ? 1.0 : 0.0), Map.of(), 1, 1, 1, 0));
            }
            return new Evaluation(new Configuration(Map.of()), rs, Map.of("accuracy", new Estimate(0, 0, 0, 0, rs.size())),
                    "accuracy", 0, 0, 0, rs.size(), 0, true);
        }, 1.0, 12, 3);
        List<Example> demos = b.demos();
        assertEquals(8, demos.size(), "12 tried, the 4 neutral ones failed");
        assertTrue(demos.stream().allMatch(d -> d.metadata().get("bootstrapped") == Boolean.TRUE));
        assertTrue(demos.stream().noneMatch(d -> d.reference().equals("neutral")));
        assertTrue(demos.stream().allMatch(d -> d.reference().equals(d.reference().strip())), "the model's own (trimmed) output is the answer");
        assertEquals(12, b.teacherCalls());
        List<Example> three = b.select(test.getFirst(), 3);
        assertEquals(3, three.size());
        assertTrue(three.stream().allMatch(e -> e.metadata().get("bootstrapped") == Boolean.TRUE));
        assertEquals(10, b.select(test.getFirst(), 10).size(), "labelled tune examples fill up beyond the bootstrapped ones");
        b.select(test.get(1), 2);
        assertEquals(1, teacherRuns.get(), "the teacher runs once");
    }
}
