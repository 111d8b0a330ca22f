package io.promptune.providers.cache;

import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.ForwardingModel;
import io.promptune.providers.LanguageModel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Answers a request it has seen before from a {@link ResponseCache} (cost 0, marked cached) and
 * stores every new successful answer. A batch sends only its misses down, still as one batch, so a
 * batching backend keeps batching.
 */
public final class CachingModel extends ForwardingModel {
    private final ResponseCache cache;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    public CachingModel(LanguageModel delegate, ResponseCache cache) {
        super(delegate);
        this.cache = cache;
    }

    @Override
    public Completion complete(CompletionRequest request) {
        return completeBatch(List.of(request)).getFirst();
    }

    /** A hit is delivered in one piece; a miss streams from the backend and is stored. */
    @Override
    public Completion completeStreaming(CompletionRequest request, java.util.function.Consumer<String> onText) {
        String key = CacheKey.of(delegate.id(), request);
        Optional<Completion> hit = cache.get(key);
        if (hit.isPresent()) {
            hits.incrementAndGet();
            if (!hit.get().text().isEmpty()) onText.accept(hit.get().text());
            return hit.get().asCached();
        }
        misses.incrementAndGet();
        Completion c = delegate.completeStreaming(request, onText);
        if (!c.isError()) cache.put(key, delegate.id(), c);
        return c;
    }

    @Override
    public List<Completion> completeBatch(List<CompletionRequest> requests) {
        Completion[] out = new Completion[requests.size()];
        String[] keys = new String[requests.size()];
        // Misses by key: a request repeated within the batch is sent once and shared.
        Map<String, List<Integer>> waiting = new LinkedHashMap<>();
        List<CompletionRequest> toSend = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            keys[i] = CacheKey.of(delegate.id(), requests.get(i));
            List<Integer> sameKey = waiting.get(keys[i]);
            if (sameKey != null) {
                sameKey.add(i);
                hits.incrementAndGet();
                continue;
            }
            Optional<Completion> hit = cache.get(keys[i]);
            if (hit.isPresent()) {
                hits.incrementAndGet();
                out[i] = hit.get().asCached();
            } else {
                waiting.put(keys[i], new ArrayList<>(List.of(i)));
                toSend.add(requests.get(i));
            }
        }
        if (!toSend.isEmpty()) {
            misses.addAndGet(toSend.size());
            List<Completion> fresh = toSend.size() == 1 ? List.of(delegate.complete(toSend.getFirst()))
                    : delegate.completeBatch(toSend);
            int j = 0;
            for (Map.Entry<String, List<Integer>> e : waiting.entrySet()) {
                Completion c = fresh.get(j++);
                List<Integer> idx = e.getValue();
                out[idx.getFirst()] = c;
                for (int k = 1; k < idx.size(); k++) out[idx.get(k)] = c.isError() ? c : c.asCached();
                if (!c.isError()) cache.put(e.getKey(), delegate.id(), c);
            }
        }
        return List.of(out);
    }

    @Override
    public Map<String, Long> counters() {
        return withCounters(Map.of("cache_hits", hits.get(), "cache_misses", misses.get()));
    }

    @Override
    public void close() {
        try {
            cache.close();
        } catch (Exception ignored) {
            // the cache's own close never throws anything worth stopping for
        } finally {
            super.close();
        }
    }
}
