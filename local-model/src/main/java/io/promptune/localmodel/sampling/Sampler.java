package io.promptune.localmodel.sampling;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Picks tokens from logits with llama.cpp's default chain: penalties (repetition, frequency, presence
 * over the last N tokens) -> top-k -> top-p -> min-p -> temperature -> a seeded random draw. Top-p and
 * min-p see the distribution before temperature, as in llama.cpp. Temperature 0 is greedy.
 * One sampler per sequence: it remembers the tokens it was told about for the penalties.
 */
public final class Sampler {
    private final SamplingParams params;
    private final SplittableRandom random;
    private int[] history = new int[64];
    private int historySize;

    public Sampler(SamplingParams params) {
        this.params = params;
        long seed = params.seed() != null ? params.seed() : new SplittableRandom().nextLong();
        this.random = new SplittableRandom(seed);
    }

    public SamplingParams params() { return params; }

    /** Records a token (prompt or generated) for the penalties. */
    public void accept(int token) {
        if (historySize == history.length) history = Arrays.copyOf(history, history.length * 2);
        history[historySize++] = token;
    }

    /** Chooses the next token; {@code logits} is modified by the penalties. */
    public int sample(float[] logits) {
        applyPenalties(logits);
        if (params.isGreedy()) return argmax(logits);
        int[] cand = topCandidates(logits, params.topK());
        int n = cand.length;
        // top-p on the untempered distribution
        if (params.topP() < 1.0 && n > 1) {
            double max = logits[cand[0]];
            double[] p = new double[n];
            double z = 0;
            for (int i = 0; i < n; i++) z += p[i] = Math.exp(logits[cand[i]] - max);
            double cum = 0;
            int keep = n;
            for (int i = 0; i < n; i++) {
                cum += p[i] / z;
                if (cum >= params.topP()) {
                    keep = i + 1;
                    break;
                }
            }
            n = keep;
        }
        // min-p: keep tokens with p >= minP * pMax, i.e. logit >= maxLogit + ln(minP)
        if (params.minP() > 0 && n > 1) {
            double threshold = logits[cand[0]] + Math.log(params.minP());
            int keep = 1;
            while (keep < n && logits[cand[keep]] >= threshold) keep++;
            n = keep;
        }
        double t = params.temperature();
        double max = logits[cand[0]] / t;
        double[] w = new double[n];
        double z = 0;
        for (int i = 0; i < n; i++) z += w[i] = Math.exp(logits[cand[i]] / t - max);
        double r = random.nextDouble() * z;
        for (int i = 0; i < n; i++) {
            r -= w[i];
            if (r < 0) return cand[i];
        }
        return cand[n - 1];
    }

    private void applyPenalties(float[] logits) {
        boolean repeat = params.repeatPenalty() != 1.0;
        boolean freq = params.frequencyPenalty() != 0.0 || params.presencePenalty() != 0.0;
        if (!repeat && !freq) return;
        int window = params.repeatLastN() < 0 ? historySize : Math.min(params.repeatLastN(), historySize);
        if (window == 0) return;
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i = historySize - window; i < historySize; i++) counts.merge(history[i], 1, Integer::sum);
        float rp = (float) params.repeatPenalty();
        for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
            int tok = e.getKey();
            if (tok < 0 || tok >= logits.length) continue;
            float l = logits[tok];
            if (repeat) l = l <= 0 ? l * rp : l / rp;
            l -= (float) (e.getValue() * params.frequencyPenalty() + params.presencePenalty());
            logits[tok] = l;
        }
    }

    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }

    /** Token ids sorted by descending logit; only the best k when k > 0 (ties: lower id first). */
    static int[] topCandidates(float[] logits, int k) {
        int v = logits.length;
        int n = k > 0 ? Math.min(k, v) : v;
        // Sort keys: float bits made order-preserving, inverted for descending order, with the id below.
        long[] keys = new long[v];
        for (int i = 0; i < v; i++) {
            int bits = Float.floatToRawIntBits(logits[i]);
            int ordered = bits >= 0 ? bits : bits ^ 0x7FFFFFFF;
            keys[i] = ((long) ~ordered << 32) | (i & 0xFFFFFFFFL);
        }
        if (n < v / 8) {
            // partial selection: keep the n smallest keys in a bounded max-heap
            long[] heap = new long[n];
            int size = 0;
            for (long key : keys) {
                if (size < n) {
                    heap[size] = key;
                    siftUp(heap, size++);
                } else if (key < heap[0]) {
                    heap[0] = key;
                    siftDown(heap, size);
                }
            }
            keys = Arrays.copyOf(heap, size);
        }
        Arrays.sort(keys);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = (int) keys[i];
        return out;
    }

    private static void siftUp(long[] h, int i) {
        while (i > 0) {
            int p = (i - 1) / 2;
            if (h[p] >= h[i]) return;
            long t = h[p]; h[p] = h[i]; h[i] = t;
            i = p;
        }
    }

    private static void siftDown(long[] h, int size) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1, r = l + 1, m = i;
            if (l < size && h[l] > h[m]) m = l;
            if (r < size && h[r] > h[m]) m = r;
            if (m == i) return;
            long t = h[m]; h[m] = h[i]; h[i] = t;
            i = m;
        }
    }
}
