package io.promptune.cli;

import io.promptune.cli.config.ModelProvider;
import io.promptune.cli.config.TuneConfig;
import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.FinishReason;
import io.promptune.providers.LanguageModel;
import io.promptune.providers.TokenUsage;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test model registered as provider "fake" (META-INF/services): deterministic, and right more
 * often with a system message and a low temperature, so tuning has something to find.
 */
public final class FakeProvider implements ModelProvider {
    public static final AtomicLong CALLS = new AtomicLong();
    /** Milliseconds each call takes (tests that interrupt a run slow it down). */
    public static volatile long delayMs = 0;

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public LanguageModel open(TuneConfig.ModelSpec spec) {
        long fromProperty = Long.getLong("promptune.fake.delayMs", 0);
        if (fromProperty > 0) delayMs = fromProperty;
        return new Model();
    }

    public static final class Model implements LanguageModel {
        @Override public String id() { return "fake:quality"; }
        @Override public Set<String> supportedParameters() { return Set.of("temperature", "top_p", "max_tokens", "seed"); }

        @Override
        public Completion complete(CompletionRequest r) {
            CALLS.incrementAndGet();
            if (delayMs > 0) {
                try {
                    Thread.sleep(delayMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            String user = r.messages().getLast().content();
            boolean system = r.messages().getFirst().role().equals("system");
            double t = r.params().temperature() == null ? 1 : r.params().temperature();
            double p = (system ? 0.95 : 0.6) - 0.3 * Math.max(0, t - 0.3);
            long h = (user + "|" + t + "|" + system).hashCode() * 0x9E3779B97F4A7C15L;
            double u = ((h >>> 11) & ((1L << 53) - 1)) / (double) (1L << 53);
            String truth = user.contains("good") ? "positive" : "negative";
            String text = u < p ? truth : (truth.equals("positive") ? "negative" : "positive");
            return new Completion(text, FinishReason.EOS, new TokenUsage(user.length() / 4 + 5, 1), Duration.ofMillis(1), 0.00001, false, null);
        }
    }
}
