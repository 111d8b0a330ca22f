package io.promptune.providers.resilience;

import io.promptune.providers.LanguageModel;
import io.promptune.providers.cache.SqliteResponseCache;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The resilience settings of a run config, in one place:
 * {@code {max_attempts: 6, requests_per_minute: 500, tokens_per_minute: 200000, max_concurrency: 8,
 * cache: ".promptune/cache.sqlite"}}. 0 or absent means "no limit" / "no cache".
 */
public record ResilienceOptions(int maxAttempts, double requestsPerMinute, double tokensPerMinute, int maxConcurrency,
                                Path cacheFile) {
    private static final Set<String> KEYS = Set.of("max_attempts", "requests_per_minute", "tokens_per_minute",
            "max_concurrency", "cache");

    public static ResilienceOptions defaults() {
        return new ResilienceOptions(RetryPolicy.defaults().maxAttempts(), 0, 0, 8, null);
    }

    public static ResilienceOptions fromMap(Map<String, ?> m) {
        for (String k : m.keySet()) {
            if (!KEYS.contains(k)) throw new IllegalArgumentException("resilience config: unknown field '" + k + "' (expected one of "
                    + String.join(", ", new java.util.TreeSet<>(KEYS)) + ")");
        }
        ResilienceOptions d = defaults();
        Object cache = m.get("cache");
        if (cache != null && !(cache instanceof String)) throw new IllegalArgumentException("resilience config: cache should be a file path");
        return new ResilienceOptions(
                (int) number(m, "max_attempts", d.maxAttempts()), number(m, "requests_per_minute", 0),
                number(m, "tokens_per_minute", 0), (int) number(m, "max_concurrency", d.maxConcurrency()),
                cache == null ? null : Path.of((String) cache));
    }

    private static double number(Map<String, ?> m, String key, double dflt) {
        Object v = m.get(key);
        if (v == null) return dflt;
        if (!(v instanceof Number n) || n.doubleValue() < 0) {
            throw new IllegalArgumentException("resilience config: " + key + " should be a non-negative number, got " + v);
        }
        return n.doubleValue();
    }

    /** Wraps a remote backend: retries, limits, concurrent batches, and the cache if a file is named. */
    public LanguageModel applyTo(LanguageModel remote) {
        RetryPolicy d = RetryPolicy.defaults();
        return ResilientModel.around(remote)
                .retry(new RetryPolicy(Math.max(1, maxAttempts), d.initialDelay(), d.maxDelay(), d.multiplier(), d.maxRetryAfter()))
                .requestsPerMinute(requestsPerMinute)
                .tokensPerMinute(tokensPerMinute)
                .maxConcurrency(maxConcurrency)
                .cache(cacheFile == null ? null : SqliteResponseCache.open(cacheFile))
                .build();
    }
}
