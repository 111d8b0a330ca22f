package io.promptune.optimizer.promptsearch;

import io.promptune.evaluators.Embedder;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A lexical fallback for "nearest" demonstrations when the neural embedding model cannot load:
 * TF-IDF over lower-cased word tokens, with document frequencies from the tune split, hashed into a
 * fixed number of buckets so vectors from different texts line up. Cosine over these vectors is
 * TF-IDF cosine similarity.
 */
public final class TfIdfEmbedder implements Embedder {
    private static final int BUCKETS = 4096;
    private final Map<String, Double> idf = new HashMap<>();
    private final double unseenIdf;

    public TfIdfEmbedder(List<String> corpus) {
        Map<String, Integer> df = new HashMap<>();
        for (String doc : corpus) for (String t : new java.util.HashSet<>(tokens(doc))) df.merge(t, 1, Integer::sum);
        int n = Math.max(1, corpus.size());
        df.forEach((t, d) -> idf.put(t, Math.log((1.0 + n) / (1.0 + d)) + 1));
        unseenIdf = Math.log(1.0 + n) + 1;
    }

    @Override
    public float[] embed(String text) {
        float[] v = new float[BUCKETS];
        for (String t : tokens(text)) v[Math.floorMod(t.hashCode(), BUCKETS)] += (float) (double) idf.getOrDefault(t, unseenIdf);
        return v;
    }

    static List<String> tokens(String text) {
        return java.util.Arrays.stream(text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")).filter(s -> !s.isEmpty()).toList();
    }
}
