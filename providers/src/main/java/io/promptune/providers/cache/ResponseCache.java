package io.promptune.providers.cache;

import io.promptune.providers.Completion;

import java.util.Optional;

/** Stored completions by request key (see {@link CacheKey}). Implementations are thread-safe. */
public interface ResponseCache extends AutoCloseable {
    Optional<Completion> get(String key);

    void put(String key, String modelId, Completion completion);

    @Override
    default void close() { }
}
