package io.promptune.optimizer.tuning;

import io.promptune.providers.ChatMessage;
import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.FinishReason;
import io.promptune.providers.LanguageModel;
import io.promptune.providers.TokenUsage;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deterministic stand-in for an LLM whose accuracy depends on the configuration: the "careful"
 * template at low temperature answers ~95% right, everything else much worse. Whether one answer
 * is right is a hash of the prompt and parameters, so reruns give the same outputs.
 */
final class FakeModel implements LanguageModel {
    final AtomicInteger calls = new AtomicInteger();
    volatile Runnable afterEachBatch = () -> { };

    @Override public String id() { return "fake:quality-by-params"; }
    @Override public Set<String> supportedParameters() { return Set.of("temperature", "max_tokens"); }

    @Override
    public List<Completion> completeBatch(List<CompletionRequest> requests) {
        List<Completion> out = requests.stream().map(this::complete).toList();
        afterEachBatch.run();
        return out;
    }

    @Override
    public Completion complete(CompletionRequest r) {
        calls.incrementAndGet();
        String user = r.messages().getLast().content();
        boolean careful = r.messages().stream().anyMatch(m -> m.content().contains("Answer with one word"));
        double t = r.params().temperature() == null ? 1.0 : r.params().temperature();
        double pRight = (careful ? 0.95 : 0.6) - 0.3 * Math.min(1, Math.max(0, t - 0.3));
        long h = (user + "|" + t + "|" + careful).hashCode() * 0x9E3779B97F4A7C15L;
        double u = ((h >>> 11) & ((1L << 53) - 1)) / (double) (1L << 53);
        String truth = user.contains("good") ? "positive" : "negative";
        String wrong = truth.equals("positive") ? "negative" : "positive";
        String text = u < pRight ? truth : wrong;
        return new Completion(text, FinishReason.EOS, new TokenUsage(user.length() / 4, 1), Duration.ofMillis(1),
                0.0001, false, null);
    }

    static String promptText(List<ChatMessage> m) {
        return m.toString();
    }
}
