package io.promptune.optimizer.tuning;

import io.promptune.datasets.Example;
import io.promptune.datasets.PromptTemplate;
import io.promptune.evaluators.Metric;
import io.promptune.providers.ChatMessage;
import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.FinishReason;
import io.promptune.providers.LanguageModel;
import io.promptune.providers.TokenUsage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.*;

/**
 * How a trial's examples reach the model: as completeBatch calls of the configured size (never one
 * request at a time), split only at racing checkpoints, with few-shot prompts that share everything
 * but the last user turn (so the local engine's prefix cache computes the shared part once).
 */
class TrialBatchingTest {
    /** Records each batch it is sent; complete() alone is a failure here (the trial path must batch). */
    static final class RecordingModel implements LanguageModel {
        final List<List<CompletionRequest>> batches = new CopyOnWriteArrayList<>();

        @Override public String id() { return "fake:recording"; }
        @Override public Set<String> supportedParameters() { return Set.of("temperature", "max_tokens"); }

        @Override
        public Completion complete(CompletionRequest r) {
            throw new AssertionError("a trial sent a single request instead of a batch");
        }

        @Override
        public List<Completion> completeBatch(List<CompletionRequest> requests) {
            batches.add(List.copyOf(requests));
            List<Completion> out = new ArrayList<>();
            for (CompletionRequest r : requests) {
                out.add(new Completion("positive", FinishReason.EOS, new TokenUsage(10, 1), Duration.ofMillis(1), 0, false, null));
            }
            return out;
        }

        List<Integer> sizes() {
            return batches.stream().map(List::size).toList();
        }
    }

    static final PromptTemplate TEMPLATE = PromptTemplate.chat("You classify reviews.", "Review: {{text}}\nAnswer with one word.");
    static final Metric RIGHT = Metric.of("right", (text, ex) -> text.equals(ex.reference()) ? 1.0 : 0.0);

    static List<Example> examples(String prefix, int n) {
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Example(prefix + i, Map.of("text", "review number " + i), List.of(i % 2 == 0 ? "positive" : "negative"), Map.of()));
        }
        return out;
    }

    static ConfigurationEvaluator evaluator(LanguageModel model, int batchSize) {
        return new ConfigurationEvaluator(model, Map.of("given", TEMPLATE), "given", Map.of("temperature", 0.0, "max_tokens", 8),
                List.of(RIGHT), "right", examples("shot", 4), batchSize);
    }

    @Test
    void examplesGoDownInFullBatchesSplitOnlyAtCheckpoints() {
        RecordingModel m = new RecordingModel();
        Evaluation e = evaluator(m, 8).evaluate(new Configuration(Map.of()), examples("ex", 20), () -> false);
        assertEquals(List.of(8, 8, 4), m.sizes());
        assertEquals(20, e.examples().size());
        assertEquals(0.5, e.objective().mean(), 1e-12);

        RecordingModel raced = new RecordingModel();
        evaluator(raced, 8).evaluate(new Configuration(Map.of()), examples("ex", 20), new int[]{5, 10, 15}, (soFar, cp) -> true, () -> false);
        assertEquals(List.of(5, 5, 5, 5), raced.sizes());

        RecordingModel big = new RecordingModel();
        evaluator(big, 64).evaluate(new Configuration(Map.of()), examples("ex", 40), () -> false);
        assertEquals(List.of(40), big.sizes(), "the configured batch size is not capped");
    }

    /** A backend that refills its batch (the local engine) gets windows of several batches, the batch size as width. */
    static final class WindowModel implements LanguageModel {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override public String id() { return "fake:window"; }
        @Override public boolean refillsBatches() { return true; }
        @Override public Set<String> supportedParameters() { return Set.of("temperature", "max_tokens"); }
        @Override public Completion complete(CompletionRequest r) { throw new AssertionError("single request"); }

        @Override
        public List<Completion> completeBatch(List<CompletionRequest> requests) {
            throw new AssertionError("a trial must hand a refilling backend its window with the width");
        }

        @Override
        public List<Completion> completeBatch(List<CompletionRequest> requests, int width) {
            calls.add(requests.size() + "/" + width);
            List<Completion> out = new ArrayList<>();
            for (CompletionRequest r : requests) {
                out.add(new Completion("positive", FinishReason.EOS, new TokenUsage(10, 1), Duration.ofMillis(1), 0, false, null));
            }
            return out;
        }
    }

    @Test
    void aRefillingBackendGetsWindowsOfSeveralBatchesSplitAtCheckpoints() {
        WindowModel m = new WindowModel();
        Evaluation e = evaluator(m, 8).evaluate(new Configuration(Map.of()), examples("ex", 80), () -> false);
        assertEquals(List.of("32/8", "32/8", "16/8"), m.calls);
        assertEquals(80, e.examples().size());
        assertEquals(0.5, e.objective().mean(), 1e-12);

        WindowModel raced = new WindowModel();
        List<Integer> seen = new ArrayList<>();
        evaluator(raced, 8).evaluate(new Configuration(Map.of()), examples("ex", 80), new int[]{20, 40, 60},
                (soFar, cp) -> { seen.add(soFar.size()); return true; }, () -> false);
        assertEquals(List.of("20/8", "20/8", "20/8", "20/8"), raced.calls);
        assertEquals(List.of(20, 40, 60, 80), seen, "racing still sees every checkpoint");
    }

    @Test
    void fewShotPromptsShareEverythingButTheQuestion() {
        RecordingModel m = new RecordingModel();
        evaluator(m, 8).evaluate(new Configuration(Map.of(Configuration.FEW_SHOT, 3)), examples("ex", 8), () -> false);
        List<CompletionRequest> batch = m.batches.getFirst();
        List<ChatMessage> first = batch.getFirst().messages();
        assertEquals(1 + 2 * 3 + 1, first.size(), "system, three demonstration turns, the question");
        for (CompletionRequest r : batch) {
            List<ChatMessage> msgs = r.messages();
            assertEquals(first.subList(0, first.size() - 1), msgs.subList(0, msgs.size() - 1), "shared prefix");
        }
        assertEquals(8, batch.stream().map(r -> r.messages().getLast()).distinct().count());
    }
}
