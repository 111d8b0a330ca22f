package io.promptune.optimizer.promptsearch;

import io.promptune.datasets.Example;
import io.promptune.evaluators.Embedder;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The k tune-split examples whose inputs are most similar to the query's (cosine of embeddings),
 * most similar last so the closest demonstration sits right before the question (as KATE does).
 */
public final class NearestShots implements ShotStrategy {
    private final List<Example> pool;
    private final Embedder embedder;
    private final String embedderName;
    private volatile float[][] poolVectors;
    private final Map<String, float[]> queryCache = new ConcurrentHashMap<>();

    public NearestShots(TuneSplitPool pool, Embedder embedder, String embedderName) {
        this.pool = pool.examples().stream().filter(e -> e.reference() != null).toList();
        this.embedder = embedder;
        this.embedderName = embedderName;
    }

    /** Which similarity is in use (for logs and reports). */
    public String embedderName() { return embedderName; }

    @Override
    public List<Example> select(Example query, int k) {
        float[][] vs = vectors();
        float[] q = queryCache.computeIfAbsent(query.id() + "\u0000" + TuneSplitPool.inputText(query), key -> embed(query));
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < pool.size(); i++) if (!pool.get(i).id().equals(query.id())) idx.add(i);
        double[] sim = new double[pool.size()];
        for (int i : idx) sim[i] = cosine(q, vs[i]);
        idx.sort(Comparator.comparingDouble((Integer i) -> -sim[i]).thenComparing(i -> pool.get(i).id()));
        List<Example> out = new ArrayList<>();
        for (int i = Math.min(k, idx.size()) - 1; i >= 0; i--) out.add(pool.get(idx.get(i)));
        return out;
    }

    private float[][] vectors() {
        float[][] v = poolVectors;
        if (v == null) {
            synchronized (this) {
                if (poolVectors == null) {
                    float[][] w = new float[pool.size()][];
                    for (int i = 0; i < w.length; i++) w[i] = embed(pool.get(i));
                    poolVectors = w;
                }
                v = poolVectors;
            }
        }
        return v;
    }

    private float[] embed(Example e) {
        String text = TuneSplitPool.inputText(e);
        return embedder.embed(text.isBlank() ? "(empty)" : text);
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }

    @Override
    public String name() { return PromptParams.NEAREST; }
}
