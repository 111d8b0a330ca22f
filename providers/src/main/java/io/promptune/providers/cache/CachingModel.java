package io.promptune.providers.cache;

import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.ForwardingModel;
import io.promptune.providers.LanguageModel;

import java.util.ArrayList;
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

    @Override
    public List<Completion> completeBatch(List<CompletionRequest> requests) {
        Completion[] out = new Completion[requests.size()];
        String[] keys = new String[requests.size()];
        List<Integer> missIdx = new ArrayList<>();
        List<CompletionRequest> missReq = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            keys[i] = CacheKey.of(delegate.id(), requests.get(i));
            Optional<Completion> hit = cache.get(keys[i]);
            if (hit.isPresent()) {
                hits.incrementAndGet();
                out[i] = hit.get().asCached();
            } else {
                missIdx.add(i);
                missReq.add(requests.get(i));
            }
        }
        if (!missReq.isEmpty()) {
            misses.addAndGet(missReq.size());
            List<Completion> fresh = missReq.size() == 1 ? List.of(delegate.complete(missReq.getFirst()))
                    : delegate.completeBatch(missReq);
            for (int j = 0; j < fresh.size(); j++) {
                int i = missIdx.get(j);
                Completion c = fresh.get(j);
                out[i] = c;
                if (!c.isError()) cache.put(keys[i], delegate.id(), c);
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
