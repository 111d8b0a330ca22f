package io.promptune.providers.resilience;

import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.ForwardingModel;
import io.promptune.providers.LanguageModel;
import io.promptune.providers.ModelCallException;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Keeps every call (retries included) within a {@link RateLimiter}'s requests and tokens per minute. */
public final class RateLimitedModel extends ForwardingModel {
    /** Output budget assumed when a request sets no max_tokens. */
    static final int DEFAULT_OUTPUT_ESTIMATE = 256;
    private final RateLimiter limiter;
    private final AtomicLong waits = new AtomicLong();
    private final AtomicLong waitedMillis = new AtomicLong();

    public RateLimitedModel(LanguageModel delegate, RateLimiter limiter) {
        super(delegate);
        this.limiter = limiter;
    }

    @Override
    public Completion complete(CompletionRequest request) {
        long estimate = estimateTokens(request);
        acquire(estimate);
        Completion c;
        try {
            c = delegate.complete(request);
        } catch (RuntimeException e) {
            limiter.settle(estimate, estimate);
            throw e;
        }
        limiter.settle(estimate, c.usage().total() > 0 ? c.usage().total() : estimate);
        return c;
    }

    /**
     * A batch (a backend that batches by itself) counts as its requests: each is admitted against the
     * limits, then they go down as one batch and each settles its real usage.
     */
    @Override
    public java.util.List<Completion> completeBatch(java.util.List<CompletionRequest> requests) {
        long[] estimates = new long[requests.size()];
        for (int i = 0; i < estimates.length; i++) {
            estimates[i] = estimateTokens(requests.get(i));
            acquire(estimates[i]);
        }
        java.util.List<Completion> out;
        try {
            out = delegate.completeBatch(requests);
        } catch (RuntimeException e) {
            for (long est : estimates) limiter.settle(est, est);
            throw e;
        }
        for (int i = 0; i < estimates.length; i++) {
            long used = out.get(i).usage().total();
            limiter.settle(estimates[i], used > 0 ? used : estimates[i]);
        }
        return out;
    }

    private void acquire(long estimate) {
        try {
            Duration waited = limiter.acquire(estimate);
            if (waited.isPositive()) {
                waits.incrementAndGet();
                waitedMillis.addAndGet(waited.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ModelCallException.permanent("interrupted while waiting for the rate limiter");
        }
    }

    /** About four characters a token for the prompt, plus the output budget. */
    static long estimateTokens(CompletionRequest r) {
        long chars = r.isChat() ? r.messages().stream().mapToLong(m -> m.content().length() + 4).sum() : r.rawPrompt().length();
        int out = r.params().maxTokens() != null ? r.params().maxTokens() : DEFAULT_OUTPUT_ESTIMATE;
        return chars / 4 + 1 + out;
    }

    /** Remote backends answer whole anyway; streaming here goes through the same limits as complete(). */
    @Override
    public Completion completeStreaming(CompletionRequest request, java.util.function.Consumer<String> onText) {
        Completion c = complete(request);
        if (!c.isError() && !c.text().isEmpty()) onText.accept(c.text());
        return c;
    }

    @Override
    public Map<String, Long> counters() {
        return withCounters(Map.of("rate_limit_waits", waits.get(), "rate_limit_wait_ms", waitedMillis.get()));
    }

}
