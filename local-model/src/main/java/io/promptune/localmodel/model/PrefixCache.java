package io.promptune.localmodel.model;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keys and values of recently processed prompts, so a new prompt that shares a token prefix with one
 * of them (the same instruction or few-shot block) copies that prefix instead of recomputing it.
 * Least recently used entries are dropped beyond a byte budget.
 */
public final class PrefixCache {
    /** A usable prefix: copy {@code length} positions from {@code source}. */
    public record Match(KvCache source, int length) { }

    private record Entry(int[] tokens, KvCache cache) { }

    private final long maxBytes;
    private final LinkedHashMap<Long, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;
    private long nextKey;

    public PrefixCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The entry sharing the longest prefix with {@code prompt}, or null when none shares a token. */
    public synchronized Match longestPrefix(int[] prompt) {
        Long bestKey = null;
        Match best = null;
        for (Map.Entry<Long, Entry> e : entries.entrySet()) {
            int[] t = e.getValue().tokens();
            int n = Math.min(t.length, prompt.length);
            int common = 0;
            while (common < n && t[common] == prompt[common]) common++;
            if (common > 0 && (best == null || common > best.length())) {
                best = new Match(e.getValue().cache(), common);
                bestKey = e.getKey();
            }
        }
        if (bestKey != null) entries.get(bestKey); // mark as recently used
        return best;
    }

    /** Remembers the first {@code tokens.length} positions of {@code cache} (copied). */
    public synchronized void put(int[] tokens, KvCache cache) {
        if (maxBytes <= 0 || tokens.length == 0) return;
        for (Entry e : entries.values()) {
            if (java.util.Arrays.equals(e.tokens(), tokens)) return;
        }
        KvCache copy = new KvCache(cache.layers, cache.kvDim, cache.maxLength, tokens.length);
        copy.copyPrefixFrom(cache, tokens.length);
        long size = copy.bytes();
        if (size > maxBytes) return;
        entries.put(nextKey++, new Entry(tokens.clone(), copy));
        bytes += size;
        Iterator<Map.Entry<Long, Entry>> it = entries.entrySet().iterator();
        while (bytes > maxBytes && it.hasNext()) {
            bytes -= it.next().getValue().cache().bytes();
            it.remove();
        }
    }

    public synchronized int size() { return entries.size(); }

    public synchronized long bytes() { return bytes; }

    public synchronized void clear() {
        entries.clear();
        bytes = 0;
    }
}
