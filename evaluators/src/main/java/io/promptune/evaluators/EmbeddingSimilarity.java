package io.promptune.evaluators;

import io.promptune.datasets.Example;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Cosine similarity between the embeddings of the output and of each reference (the best counts),
 * clipped to [0, 1]. With a threshold the score is pass/fail instead. Reference embeddings are cached,
 * since the same references are scored again in every trial.
 */
public final class EmbeddingSimilarity implements Metric {
    private static final int CACHE = 4096;

    private final Embedder embedder;
    private final double threshold;
    private final Map<String, float[]> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, float[]> e) {
            return size() > CACHE;
        }
    };

    /** @param threshold NaN for the raw similarity */
    public EmbeddingSimilarity(Embedder embedder, double threshold) {
        this.embedder = embedder;
        this.threshold = threshold;
    }

    @Override
    public String name() {
        return "embedding";
    }

    @Override
    public Score score(String output, Example example) {
        // blank text has no meaning to embed: it is identical to a blank reference and unlike anything else
        float[] out = output.isBlank() ? null : embedder.embed(output);
        double best = -1;
        for (String ref : References.of(example, name())) {
            double sim = out == null || ref.isBlank() ? (out == null && ref.isBlank() ? 1 : 0) : cosine(out, reference(ref));
            best = Math.max(best, sim);
        }
        double value = Double.isNaN(threshold) ? Math.max(0, Math.min(1, best)) : (best >= threshold ? 1 : 0);
        return new Score(value, Map.of("cosine", best));
    }

    private float[] reference(String ref) {
        synchronized (cache) {
            float[] v = cache.get(ref);
            if (v != null) return v;
        }
        float[] v = embedder.embed(ref);
        synchronized (cache) {
            cache.put(ref, v);
        }
        return v;
    }

    static double cosine(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("embeddings differ in size: " + a.length + " vs " + b.length);
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * (double) b[i];
            na += a[i] * (double) a[i];
            nb += b[i] * (double) b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }
}
