package io.promptune.providers.resilience;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * How often and how long to wait before trying a failed call again: exponential backoff with
 * "full jitter" (a random wait between half and all of the backoff, so clients that failed together
 * do not retry together), or exactly the server's Retry-After when it sent one (capped).
 *
 * @param maxAttempts   attempts in total, including the first
 * @param initialDelay  the backoff before the second attempt
 * @param maxDelay      the backoff never grows past this
 * @param maxRetryAfter a Retry-After longer than this is cut down to it
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay, double multiplier,
                          Duration maxRetryAfter) {
    public RetryPolicy {
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
        if (multiplier < 1) throw new IllegalArgumentException("multiplier must be >= 1, got " + multiplier);
    }

    public static RetryPolicy defaults() {
        return new RetryPolicy(6, Duration.ofMillis(500), Duration.ofSeconds(30), 2.0, Duration.ofMinutes(2));
    }

    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 1, Duration.ZERO);
    }

    /** The wait before attempt {@code attempt + 1}, after attempt {@code attempt} (1-based) failed. */
    public Duration delayAfter(int attempt, Optional<Duration> retryAfter, RandomGenerator random) {
        if (retryAfter.isPresent()) {
            Duration ra = retryAfter.get();
            if (ra.isNegative()) return Duration.ZERO;
            return ra.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : ra;
        }
        double backoff = initialDelay.toNanos() * Math.pow(multiplier, attempt - 1);
        backoff = Math.min(backoff, maxDelay.toNanos());
        double jittered = backoff * (0.5 + 0.5 * random.nextDouble());
        return Duration.ofNanos((long) jittered);
    }
}
