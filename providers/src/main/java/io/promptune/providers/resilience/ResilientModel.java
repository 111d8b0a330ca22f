package io.promptune.providers.resilience;

import io.promptune.providers.LanguageModel;
import io.promptune.providers.cache.CachingModel;
import io.promptune.providers.cache.ResponseCache;

import java.util.random.RandomGenerator;

/**
 * Stacks the resilience decorators around a backend in the one order that works:
 * <pre>
 *   CachingModel            answer repeats from the cache, before anything else
 *   ConcurrentBatchModel    fan a batch out on virtual threads
 *   RetryingModel           each request retries on its own thread
 *   PauseGateModel          after a Retry-After every request waits, not only the one that got it
 *   RateLimitedModel        every attempt, retries included, counts against the limits
 *   ConcurrencyLimitedModel a retry waiting out its backoff holds no connection slot
 *   backend
 * </pre>
 * Layers that are not asked for are left out. {@link LanguageModel#counters()} of the result sums
 * every layer's counters.
 */
public final class ResilientModel {
    private final LanguageModel backend;
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private double requestsPerMinute;
    private double tokensPerMinute;
    private int maxConcurrency;
    private boolean concurrentBatches = true;
    private ResponseCache cache;
    private TimeSource time = TimeSource.SYSTEM;
    private RandomGenerator random = RandomGenerator.of("L64X128MixRandom");

    private ResilientModel(LanguageModel backend) {
        this.backend = backend;
    }

    public static ResilientModel around(LanguageModel backend) {
        return new ResilientModel(backend);
    }

    public ResilientModel retry(RetryPolicy p) { this.retryPolicy = p; return this; }
    public ResilientModel requestsPerMinute(double rpm) { this.requestsPerMinute = rpm; return this; }
    public ResilientModel tokensPerMinute(double tpm) { this.tokensPerMinute = tpm; return this; }
    public ResilientModel maxConcurrency(int n) { this.maxConcurrency = n; return this; }
    /** False for backends that batch by themselves (the local engine): their completeBatch is kept. */
    public ResilientModel concurrentBatches(boolean on) { this.concurrentBatches = on; return this; }
    public ResilientModel cache(ResponseCache c) { this.cache = c; return this; }
    public ResilientModel timeSource(TimeSource t) { this.time = t; return this; }
    public ResilientModel random(RandomGenerator r) { this.random = r; return this; }

    public LanguageModel build() {
        LanguageModel m = backend;
        if (maxConcurrency > 0) m = new ConcurrencyLimitedModel(m, maxConcurrency);
        if (requestsPerMinute > 0 || tokensPerMinute > 0) {
            m = new RateLimitedModel(m, new RateLimiter(requestsPerMinute, tokensPerMinute, time));
        }
        ServerPause pause = new ServerPause(time);
        m = new PauseGateModel(m, pause, time);
        m = new RetryingModel(m, retryPolicy, time, random).pausingAllRequestsOn(pause);
        if (concurrentBatches) m = new ConcurrentBatchModel(m);
        if (cache != null) m = new CachingModel(m, cache);
        return m;
    }
}
