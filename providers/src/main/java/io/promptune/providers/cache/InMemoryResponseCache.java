package io.promptune.providers.cache;

import io.promptune.providers.Completion;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A cache that lives as long as the process (tests, one-off runs). */
public final class InMemoryResponseCache implements ResponseCache {
    private final Map<String, Completion> entries = new ConcurrentHashMap<>();

    @Override
    public Optional<Completion> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    @Override
    public void put(String key, String modelId, Completion completion) {
        entries.put(key, completion);
    }

    public int size() {
        return entries.size();
    }
}
