package io.promptune.providers.resilience;

import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.ForwardingModel;
import io.promptune.providers.LanguageModel;
import io.promptune.providers.ModelCallException;

import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/** At most N calls in flight at once; others queue in arrival order. */
public final class ConcurrencyLimitedModel extends ForwardingModel {
    private final Semaphore permits;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();

    public ConcurrencyLimitedModel(LanguageModel delegate, int maxConcurrent) {
        super(delegate);
        if (maxConcurrent < 1) throw new IllegalArgumentException("max concurrency must be >= 1, got " + maxConcurrent);
        this.permits = new Semaphore(maxConcurrent, true);
    }

    @Override
    public Completion complete(CompletionRequest request) {
        return limited(() -> delegate.complete(request));
    }

    /** A batch (a backend that batches by itself) is one call to the backend: it holds one slot. */
    @Override
    public java.util.List<Completion> completeBatch(java.util.List<CompletionRequest> requests) {
        return limited(() -> delegate.completeBatch(requests));
    }

    private <T> T limited(java.util.function.Supplier<T> call) {
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ModelCallException.permanent("interrupted while waiting for a free connection slot");
        }
        try {
            peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            return call.get();
        } finally {
            inFlight.decrementAndGet();
            permits.release();
        }
    }

    /** The most calls that were ever in flight together. */
    public int peakConcurrency() {
        return peak.get();
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
        return withCounters(Map.of("peak_concurrency", (long) peak.get()));
    }
}
