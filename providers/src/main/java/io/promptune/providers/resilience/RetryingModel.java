package io.promptune.providers.resilience;

import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.ForwardingModel;
import io.promptune.providers.LanguageModel;
import io.promptune.providers.ModelCallException;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * Tries a call again on faults that may pass (429, 5xx, timeouts, dropped connections; see
 * {@link ModelCallException#retryable()}), waiting as {@link RetryPolicy} says. Every retry is
 * counted. This is also where a backend's exceptions become {@link Completion#failed}: nothing above
 * this layer sees an exception for a failed call.
 */
public final class RetryingModel extends ForwardingModel {
    private final RetryPolicy policy;
    private final TimeSource time;
    private final RandomGenerator random;
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong retriesRateLimited = new AtomicLong();
    private final AtomicLong retriesServerError = new AtomicLong();
    private final AtomicLong retriesTransport = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong waitedMillis = new AtomicLong();
    private ServerPause serverPause;

    public RetryingModel(LanguageModel delegate, RetryPolicy policy, TimeSource time, RandomGenerator random) {
        super(delegate);
        this.policy = policy;
        this.time = time;
        this.random = random;
    }

    public RetryingModel(LanguageModel delegate, RetryPolicy policy) {
        this(delegate, policy, TimeSource.SYSTEM, RandomGenerator.of("L64X128MixRandom"));
    }

    /** After a Retry-After, hold every request back, not only the one that got it. */
    public RetryingModel pausingAllRequestsOn(ServerPause pause) {
        this.serverPause = pause;
        return this;
    }

    @Override
    public Completion complete(CompletionRequest request) {
        long start = time.nanoTime();
        for (int attempt = 1; ; attempt++) {
            try {
                return delegate.complete(request);
            } catch (ModelCallException e) {
                if (!e.retryable() || attempt >= policy.maxAttempts()) {
                    failed.incrementAndGet();
                    String why = e.retryable() ? " (gave up after " + attempt + " attempts)" : "";
                    return Completion.failed(e.getMessage() + why, elapsed(start));
                }
                countRetry(e.statusCode());
                if (serverPause != null && e.retryAfter().isPresent()) serverPause.pauseFor(e.retryAfter().get());
                Duration wait;
                synchronized (random) {
                    wait = policy.delayAfter(attempt, e.retryAfter(), random);
                }
                try {
                    time.sleep(wait);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    failed.incrementAndGet();
                    return Completion.failed("interrupted while waiting to retry: " + e.getMessage(), elapsed(start));
                }
                waitedMillis.addAndGet(wait.toMillis());
            } catch (RuntimeException e) {
                // Anything else is a bug or a bad request in the backend: not worth repeating.
                failed.incrementAndGet();
                return Completion.failed(e.getClass().getSimpleName() + ": " + e.getMessage(), elapsed(start));
            }
        }
    }

    /** Retried calls cannot un-send streamed text, so a streamed request is answered whole, with retries. */
    @Override
    public Completion completeStreaming(CompletionRequest request, java.util.function.Consumer<String> onText) {
        Completion c = complete(request);
        if (!c.isError() && !c.text().isEmpty()) onText.accept(c.text());
        return c;
    }

    /**
     * Lets a backend that batches by itself (the local engine) keep its batch; if the batch call
     * fails as a whole, each request is retried on its own.
     */
    @Override
    public java.util.List<Completion> completeBatch(java.util.List<CompletionRequest> requests) {
        try {
            return delegate.completeBatch(requests);
        } catch (RuntimeException e) {
            return requests.stream().map(this::complete).toList();
        }
    }

    private void countRetry(int status) {
        retries.incrementAndGet();
        if (status == 429) retriesRateLimited.incrementAndGet();
        else if (status >= 500) retriesServerError.incrementAndGet();
        else retriesTransport.incrementAndGet();
    }

    private Duration elapsed(long start) {
        return Duration.ofNanos(time.nanoTime() - start);
    }

    public long retries() {
        return retries.get();
    }

    @Override
    public Map<String, Long> counters() {
        return withCounters(Map.of(
                "retries", retries.get(),
                "retries_429", retriesRateLimited.get(),
                "retries_5xx", retriesServerError.get(),
                "retries_timeout_or_connection", retriesTransport.get(),
                "retry_wait_ms", waitedMillis.get(),
                "failed_requests", failed.get()));
    }
}
