package io.promptune.providers.resilience;

import java.time.Duration;

/**
 * Requests-per-minute and tokens-per-minute limits as two token buckets that refill continuously.
 * A caller takes one request and an estimate of its tokens before sending, and settles the
 * difference once the real usage is known; an overdrawn token bucket makes the next callers wait.
 * A limit of 0 or less means "no limit".
 */
public final class RateLimiter {
    private static final double NANOS_PER_MINUTE = 60e9;
    private final double requestsPerMinute;
    private final double tokensPerMinute;
    private final TimeSource time;
    private double requestBucket;
    private double tokenBucket;
    private long lastRefill;

    public RateLimiter(double requestsPerMinute, double tokensPerMinute, TimeSource time) {
        this.requestsPerMinute = requestsPerMinute;
        this.tokensPerMinute = tokensPerMinute;
        this.time = time;
        this.requestBucket = Math.max(requestsPerMinute, 0);
        this.tokenBucket = Math.max(tokensPerMinute, 0);
        this.lastRefill = time.nanoTime();
    }

    /** Waits until one request with about {@code tokens} tokens may go; returns how long it waited. */
    public Duration acquire(long tokens) throws InterruptedException {
        Duration waited = Duration.ZERO;
        while (true) {
            long waitNanos;
            synchronized (this) {
                refill();
                // A request bigger than the whole bucket may go once the bucket is full.
                double needTokens = tokensPerMinute > 0 ? Math.min(tokens, tokensPerMinute) : 0;
                boolean requestOk = requestsPerMinute <= 0 || requestBucket >= 1;
                boolean tokensOk = tokensPerMinute <= 0 || tokenBucket >= needTokens;
                if (requestOk && tokensOk) {
                    if (requestsPerMinute > 0) requestBucket -= 1;
                    if (tokensPerMinute > 0) tokenBucket -= tokens;
                    return waited;
                }
                double waitForRequest = requestOk ? 0 : (1 - requestBucket) / requestsPerMinute * NANOS_PER_MINUTE;
                double waitForTokens = tokensOk ? 0 : (needTokens - tokenBucket) / tokensPerMinute * NANOS_PER_MINUTE;
                waitNanos = (long) Math.ceil(Math.max(waitForRequest, waitForTokens));
            }
            Duration d = Duration.ofNanos(Math.max(waitNanos, 1_000_000));
            time.sleep(d);
            waited = waited.plus(d);
        }
    }

    /** Settles a request's real token count against the estimate taken in {@link #acquire}. */
    public synchronized void settle(long estimatedTokens, long actualTokens) {
        if (tokensPerMinute > 0) {
            refill();
            tokenBucket -= (actualTokens - estimatedTokens);
        }
    }

    private void refill() {
        long now = time.nanoTime();
        double minutes = (now - lastRefill) / NANOS_PER_MINUTE;
        lastRefill = now;
        if (requestsPerMinute > 0) requestBucket = Math.min(requestsPerMinute, requestBucket + minutes * requestsPerMinute);
        if (tokensPerMinute > 0) tokenBucket = Math.min(tokensPerMinute, tokenBucket + minutes * tokensPerMinute);
    }
}
