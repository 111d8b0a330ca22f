package io.promptune.localmodel.model;

import io.promptune.localmodel.gguf.GgufFile;
import io.promptune.localmodel.tensor.Activations;
import io.promptune.localmodel.tensor.FloatBatch;
import io.promptune.localmodel.tensor.Matmul;
import io.promptune.localmodel.tensor.Parallel;
import io.promptune.localmodel.tensor.WeightMatrix;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The decoder-only transformer forward pass for the llama family (llama, qwen2, qwen3), batched:
 * a batch is any set of tokens, each belonging to some sequence's {@link KvCache} at some position.
 * A prompt prefill is a batch of consecutive positions of one cache; a decode step of N sequences is
 * a batch of one token from each of N caches. All projections run as matrix x matrix products.
 *
 * <p>Numerics follow llama.cpp's CPU backend: activations quantized per weight type (see the tensor
 * package), RMS norm summed in double, K/V and Q rounded to half precision and the attention output
 * accumulated in half precision as ggml's flash-attention kernel does, and multiply-adds fused where ggml's
 * compiler fuses them (it builds with floating-point contraction), so greedy outputs match.
 */
public final class Transformer {
    /** Test hook: receives named intermediate activations (llama.cpp's tensor names) of each forward pass. */
    static volatile java.util.function.BiConsumer<String, float[]> trace;

    private final ModelConfig config;
    private final ModelWeights weights;
    private final Rope rope;
    private final Parallel pool;
    /** Per layer, the matrices each product multiplies together (built once, not per forward). */
    private final WeightMatrix[][] qkv, wo, gateUp, down;
    private final WeightMatrix[] output;

    public Transformer(GgufFile file, Parallel pool) {
        this.config = ModelConfig.read(file);
        this.weights = new ModelWeights(file, config);
        this.rope = new Rope(config, weights.ropeFreqFactors);
        this.pool = pool;
        int layers = config.layers();
        qkv = new WeightMatrix[layers][];
        wo = new WeightMatrix[layers][];
        gateUp = new WeightMatrix[layers][];
        down = new WeightMatrix[layers][];
        for (int l = 0; l < layers; l++) {
            ModelWeights.Layer w = weights.layers[l];
            qkv[l] = new WeightMatrix[]{w.wq, w.wk, w.wv};
            wo[l] = new WeightMatrix[]{w.wo};
            gateUp[l] = new WeightMatrix[]{w.gate, w.up};
            down[l] = new WeightMatrix[]{w.down};
        }
        output = new WeightMatrix[]{weights.output};
    }

    public ModelConfig config() { return config; }

    /** A fresh, empty cache for one sequence. */
    public KvCache newCache() {
        return new KvCache(config.layers(), config.kvDim(), config.contextLength());
    }

    /**
     * Runs {@code tokens} through the model. Token i goes to {@code caches[i]} at {@code positions[i]}; the
     * tokens of one cache must be at consecutive positions starting at its current length, in order.
     * Returns one row of logits per entry of {@code logitRows} (indices into {@code tokens}).
     */
    public FloatBatch forward(int[] tokens, KvCache[] caches, int[] positions, int[] logitRows) {
        return forward(tokens, caches, positions, logitRows, null);
    }

    /**
     * As {@link #forward(int[], KvCache[], int[], int[])}, writing the logits into {@code logits} when it is
     * given (at least {@code logitRows.length} rows of the vocabulary's width; returned as a view of that
     * many rows), so a caller stepping many times can keep one buffer.
     */
    public FloatBatch forward(int[] tokens, KvCache[] caches, int[] positions, int[] logitRows, FloatBatch logits) {
        int n = tokens.length;
        if (caches.length != n || positions.length != n) throw new IllegalArgumentException("tokens, caches and positions differ in length");
        ModelConfig c = config;
        for (int i = 0; i < n; i++) {
            if (tokens[i] < 0 || tokens[i] >= c.vocabSize()) {
                throw new IllegalArgumentException("token id " + tokens[i] + " outside the vocabulary (0.." + (c.vocabSize() - 1) + ")");
            }
            if (positions[i] >= c.contextLength()) throw new ContextOverflowException(c.name(), positions[i] + 1, c.contextLength());
        }
        for (int r : logitRows) if (r < 0 || r >= n) throw new IllegalArgumentException("logit row " + r + " outside the batch of " + n);
        if (logits != null && (logits.rows() < logitRows.length || logits.cols() != c.vocabSize())) {
            throw new IllegalArgumentException("logits buffer " + logits.rows() + "x" + logits.cols() + " cannot hold "
                    + logitRows.length + "x" + c.vocabSize());
        }
        checkPositions(caches, positions);
        for (int i = 0; i < n; i++) caches[i].ensureCapacity(positions[i] + 1);
        FloatBatch out = logits == null ? new FloatBatch(logitRows.length, c.vocabSize())
                : new FloatBatch(logitRows.length, c.vocabSize(), logits.data());
        // One workspace per concurrent forward: taken here, handed back at the end.
        Workspace ws = spareWorkspace.getAndSet(null);
        if (ws == null) ws = new Workspace();
        pool.hold(); // a pass issues ~5 sections per layer with short serial steps between: keep the workers spinning
        try {
            run(ws, tokens, caches, positions, logitRows, out);
        } finally {
            pool.release();
            spareWorkspace.set(ws);
        }
        return out;
    }

    /**
     * The activation arrays of a forward pass, kept between passes and grown to the largest batch seen:
     * allocating them (and the matrix products' prepared activations) afresh in every pass made the
     * garbage collector grow the heap to gigabytes during batched decoding.
     */
    private final class Workspace {
        int capacity;
        float[] x, xb, q, k, v, att, gate, up;
        int logitCapacity;
        float[] last, normed;
        float[][] ropeTables = new float[0][];
        /**
         * One layer of the batch's keys and values as floats, shared by all attention tasks: each run of a
         * cache's tokens has its positions [0, span) at its own base (rows of kvDim floats).
         */
        float[] keysWide = new float[0], valuesWide = new float[0];
        /** Per batch entry, where its run's widened keys and values start in keysWide/valuesWide. */
        int[] wideBase = new int[0];

        void ensureWide(int floats) {
            if (keysWide.length < floats) {
                int size = Math.max(floats, keysWide.length + keysWide.length / 2);
                keysWide = new float[size];
                valuesWide = new float[size];
            }
        }
        final Activations.Buffers activations = new Activations.Buffers();

        void ensure(int n, int logitRows) {
            ModelConfig c = config;
            if (n > capacity) {
                x = new float[n * c.dim()];
                xb = new float[n * c.dim()];
                q = new float[n * c.qDim()];
                k = new float[n * c.kvDim()];
                v = new float[n * c.kvDim()];
                att = new float[n * c.qDim()];
                gate = new float[n * c.ffnDim()];
                up = new float[n * c.ffnDim()];
                ropeTables = new float[n][c.ropeDims()];
                wideBase = new int[n];
                capacity = n;
            }
            if (logitRows > logitCapacity) {
                last = new float[logitRows * c.dim()];
                normed = new float[logitRows * c.dim()];
                logitCapacity = logitRows;
            }
        }
    }

    private final AtomicReference<Workspace> spareWorkspace = new AtomicReference<>();

    /** Batches of at least this many rows run their row-wise steps (norms, RoPE, SwiGLU, ...) in parallel. */
    private static final int PARALLEL_ROWS = 16;

    /** Runs {@code body} over rows [0, n): spread over the pool for large batches, inline for small ones. */
    private void rows(int n, Parallel.RangeTask body) {
        if (n >= PARALLEL_ROWS && pool.threads() > 1) pool.forRange(n, body);
        else body.run(0, n);
    }

    private void run(Workspace ws, int[] tokens, KvCache[] caches, int[] positions, int[] logitRows, FloatBatch logits) {
        ModelConfig c = config;
        int n = tokens.length;
        ws.ensure(n, logitRows.length);
        int dim = c.dim(), qDim = c.qDim(), kvDim = c.kvDim(), hd = c.headDim();
        float eps = c.rmsEps();
        FloatBatch x = new FloatBatch(n, dim, ws.x), xb = new FloatBatch(n, dim, ws.xb);
        FloatBatch q = new FloatBatch(n, qDim, ws.q), k = new FloatBatch(n, kvDim, ws.k), v = new FloatBatch(n, kvDim, ws.v);
        FloatBatch att = new FloatBatch(n, qDim, ws.att);
        FloatBatch gate = new FloatBatch(n, c.ffnDim(), ws.gate), up = new FloatBatch(n, c.ffnDim(), ws.up);
        FloatBatch[] qkvOut = {q, k, v}, xbOut = {xb}, gateUpOut = {gate, up};
        Activations.Buffers acts = ws.activations;
        float[][] ropeTables = ws.ropeTables;
        rows(n, (r0, r1) -> {
            for (int i = r0; i < r1; i++) {
                weights.tokenEmbedding.dequantizeRow(tokens[i], x.data(), x.offset(i));
                rope.table(positions[i], ropeTables[i]);
            }
        });
        // Each layer's keys and values are widened to floats once per run of a cache's tokens (a prompt, a decode
        // step of each sequence), in flat loops, for all attention tasks; widening per task and head ran ~5x
        // slower per value and repeated it for every task of a run.
        boolean shared = n > 0 && HalfAttention.supports(hd);
        int[] runs = shared ? wideRuns(caches, positions, ws.wideBase, kvDim) : null;
        int widePositions = shared ? runs[runs.length - 1] : 0;
        if (shared) ws.ensureWide(widePositions * kvDim);
        float[] keysWide = ws.keysWide, valuesWide = ws.valuesWide;
        int[] wideBase = ws.wideBase;
        int[] tasks = attentionTasks(caches, positions, shared);
        int taskCount = tasks.length / 4;

        for (int l = 0; l < c.layers(); l++) {
            ModelWeights.Layer w = weights.layers[l];
            rows(n, (r0, r1) -> rmsNorm(x, xb, w.attnNorm, eps, r0, r1));
            emit("attn_norm-" + l, xb);
            Matmul.run(pool, xb, qkv[l], qkvOut, acts);
            final int layer = l;
            rows(n, (r0, r1) -> {
                for (int i = r0; i < r1; i++) {
                    addBias(q, i, w.bq);
                    addBias(k, i, w.bk);
                    addBias(v, i, w.bv);
                    if (w.qNorm != null) {
                        headNorm(q.data(), q.offset(i), c.heads(), hd, w.qNorm, eps);
                        headNorm(k.data(), k.offset(i), c.kvHeads(), hd, w.kNorm, eps);
                    }
                    rope.apply(q.data(), q.offset(i), c.heads(), hd, ropeTables[i]);
                    rope.apply(k.data(), k.offset(i), c.kvHeads(), hd, ropeTables[i]);
                    short[] kc = caches[i].keys[layer], vc = caches[i].values[layer];
                    int dst = positions[i] * kvDim, ko = k.offset(i), vo = v.offset(i);
                    float[] kd = k.data(), vd = v.data();
                    for (int j = 0; j < kvDim; j++) {
                        kc[dst + j] = Float.floatToFloat16(kd[ko + j]);
                        vc[dst + j] = Float.floatToFloat16(vd[vo + j]);
                    }
                }
            });
            emit("Qcur-" + l, q);
            emit("Kcur-" + l, k);
            emit("Vcur-" + l, v);
            if (shared) {
                if (widePositions * kvDim >= WIDEN_PARALLEL && pool.threads() > 1) {
                    pool.forRange(widePositions, (p0, p1) -> widenRuns(runs, caches, layer, kvDim, p0, p1, keysWide, valuesWide));
                } else {
                    widenRuns(runs, caches, layer, kvDim, 0, widePositions, keysWide, valuesWide);
                }
                pool.forEach(taskCount, t -> attendShared(tasks[4 * t], tasks[4 * t + 1], tasks[4 * t + 2], tasks[4 * t + 3],
                        q, att, keysWide, valuesWide, wideBase, positions));
            } else {
                pool.forEach(taskCount, t -> attendGroup(tasks[4 * t], tasks[4 * t + 1], tasks[4 * t + 2], tasks[4 * t + 3],
                        layer, q, att, caches, positions));
            }
            emit("kqv_out-" + l, att);
            Matmul.run(pool, att, wo[l], xbOut, acts);
            if (w.bo != null) rows(n, (r0, r1) -> { for (int i = r0; i < r1; i++) addBias(xb, i, w.bo); });
            emit("attn_out-" + l, xb);
            rows(n, (r0, r1) -> add(x, xb, r0, r1));
            emit("ffn_inp-" + l, x);
            rows(n, (r0, r1) -> rmsNorm(x, xb, w.ffnNorm, eps, r0, r1));
            emit("ffn_norm-" + l, xb);
            Matmul.run(pool, xb, gateUp[l], gateUpOut, acts);
            emit("ffn_gate-" + l, gate);
            emit("ffn_up-" + l, up);
            rows(n, (r0, r1) -> swiglu(gate, up, r0, r1));
            emit("ffn_swiglu-" + l, gate);
            Matmul.run(pool, gate, down[l], xbOut, acts);
            emit("ffn_out-" + l, xb);
            rows(n, (r0, r1) -> add(x, xb, r0, r1));
            emit("l_out-" + l, x);
        }
        for (int i = 0; i < n; i++) caches[i].setLength(Math.max(caches[i].length(), positions[i] + 1));

        int rows = logitRows.length;
        if (rows == 0) return;
        FloatBatch last = new FloatBatch(rows, dim, ws.last);
        for (int r = 0; r < rows; r++) System.arraycopy(x.data(), x.offset(logitRows[r]), last.data(), last.offset(r), dim);
        FloatBatch normed = new FloatBatch(rows, dim, ws.normed);
        rmsNorm(last, normed, weights.outputNorm, eps, 0, rows);
        Matmul.run(pool, normed, output, new FloatBatch[]{logits}, acts);
        emit("result_output", logits);
    }

    private static void emit(String name, FloatBatch b) {
        java.util.function.BiConsumer<String, float[]> t = trace;
        if (t != null) t.accept(name, java.util.Arrays.copyOf(b.data(), b.rows() * b.cols()));
    }

    private static void checkPositions(KvCache[] caches, int[] positions) {
        java.util.IdentityHashMap<KvCache, Integer> next = new java.util.IdentityHashMap<>();
        for (int i = 0; i < caches.length; i++) {
            int expected = next.getOrDefault(caches[i], caches[i].length());
            if (positions[i] != expected) {
                throw new IllegalArgumentException("token " + i + " is at position " + positions[i] + " but its sequence continues at " + expected);
            }
            next.put(caches[i], expected + 1);
        }
    }

    /**
     * Widening a layer's keys and values of this many values or more is spread over the pool (below it, splitting
     * measured no faster even with the workers spinning: the other thread pulls the cache lines across cores).
     */
    private static final int WIDEN_PARALLEL = 1 << 16;

    /**
     * The batch's runs (consecutive entries of one cache) as flat (first entry, span, base position) triples,
     * followed by the total of the spans; a run's widened positions [0, span) start at its base. Fills
     * {@code wideBase[i]} with entry i's base, in floats ({@code base * kvDim}).
     */
    private static int[] wideRuns(KvCache[] caches, int[] positions, int[] wideBase, int kvDim) {
        int n = caches.length, count = 0;
        for (int start = 0; start < n; count++) {
            int end = start + 1;
            while (end < n && caches[end] == caches[start]) end++;
            start = end;
        }
        int[] runs = new int[3 * count + 1];
        int base = 0, r = 0;
        for (int start = 0; start < n; r++) {
            int end = start + 1;
            while (end < n && caches[end] == caches[start]) end++;
            int span = positions[end - 1] + 1; // positions of a run ascend: its last token sees the most
            runs[3 * r] = start;
            runs[3 * r + 1] = span;
            runs[3 * r + 2] = base;
            for (int i = start; i < end; i++) wideBase[i] = base * kvDim;
            base += span;
            start = end;
        }
        runs[3 * count] = base;
        return runs;
    }

    /** Widens positions [p0, p1) of the concatenated runs' layer {@code layer} keys and values (see {@link #wideRuns}). */
    private static void widenRuns(int[] runs, KvCache[] caches, int layer, int kvDim, int p0, int p1, float[] keysWide, float[] valuesWide) {
        for (int r = 0; r < runs.length / 3; r++) {
            int base = runs[3 * r + 2], lo = Math.max(p0, base) - base, hi = Math.min(p1, base + runs[3 * r + 1]) - base;
            if (lo >= hi) continue;
            KvCache cache = caches[runs[3 * r]];
            int shift = base * kvDim;
            HalfAttention.widen(cache.keys[layer], lo * kvDim, hi * kvDim, keysWide, shift);
            HalfAttention.widen(cache.values[layer], lo * kvDim, hi * kvDim, valuesWide, shift);
        }
    }

    /** Tokens per attention task (a prompt's tokens are split over several tasks for balance). */
    private static final int ATTENTION_TOKENS_PER_TASK = 16;

    /**
     * Attention work split into tasks of (first token, end token, first query head, end query head): the
     * tokens of a task belong to one cache (a run of consecutive batch entries) and its query heads share one
     * key/value head (without {@code shared} widened keys and values the task converts that head's keys and
     * values to floats once for every query head sharing it and every token of the run). When the keys and
     * values are {@code shared} (widened once per run for the whole batch) and that gives too few tasks to keep the threads
     * busy (a single-sequence decode step: one task per key/value head), each query head is its own task.
     * Returned flat, four ints per task.
     */
    private int[] attentionTasks(KvCache[] caches, int[] positions, boolean shared) {
        int n = caches.length, kvHeads = config.kvHeads(), group = config.heads() / kvHeads;
        int kvTasks = 0;
        for (int start = 0; start < n; ) {
            int end = start + 1;
            while (end < n && caches[end] == caches[start]) end++;
            kvTasks += kvHeads * ((end - start + ATTENTION_TOKENS_PER_TASK - 1) / ATTENTION_TOKENS_PER_TASK);
            start = end;
        }
        int split = shared && pool.threads() > 1 && kvTasks < 4 * pool.threads() ? group : 1;
        int[] out = new int[4 * kvTasks * split];
        int count = 0;
        for (int start = 0; start < n; ) {
            int end = start + 1;
            while (end < n && caches[end] == caches[start]) end++;
            int len = end - start;
            int chunks = (len + ATTENTION_TOKENS_PER_TASK - 1) / ATTENTION_TOKENS_PER_TASK;
            for (int ch = 0; ch < chunks; ch++) {
                int lo = start + (int) ((long) len * ch / chunks), hi = start + (int) ((long) len * (ch + 1) / chunks);
                for (int h = 0; h < kvHeads; h++) {
                    for (int part = 0; part < split; part++) {
                        out[count++] = lo;
                        out[count++] = hi;
                        out[count++] = h * group + part * group / split;
                        out[count++] = h * group + (part + 1) * group / split;
                    }
                }
            }
            start = end;
        }
        return out;
    }

    /** Per-thread scratch of the attention tasks (one head's keys and values as floats, the query, the accumulator). */
    private static final class AttentionScratch {
        float[] keys = new float[0], values = new float[0], query = new float[0], acc = new float[0];
        /** {@link HalfAttention#attend}'s per-position scratch. */
        float[] positions = new float[0];

        void ensurePositions(int n) {
            int size = HalfAttention.scratchSize(n);
            if (positions.length < size) positions = new float[Math.max(size, positions.length * 2)];
        }

        void ensure(int kvFloats, int hd) {
            if (keys.length < kvFloats) {
                int size = Math.max(kvFloats, keys.length * 2);
                keys = new float[size];
                values = new float[size];
            }
            if (query.length < hd) {
                query = new float[hd];
                acc = new float[hd];
            }
        }
    }

    private static final ThreadLocal<AttentionScratch> ATTENTION_SCRATCH = ThreadLocal.withInitial(AttentionScratch::new);

    /**
     * Tokens [lo, hi) of one cache, query heads [h0, h1) (all of one key/value head), as ggml's flash-attention
     * kernel: Q rounded to half, scores over the half-precision keys of positions 0..pos, an online softmax,
     * values accumulated in half precision. The head's keys and values are widened to floats once (exact).
     */
    private void attendGroup(int lo, int hi, int h0, int h1, int layer, FloatBatch q, FloatBatch att, KvCache[] caches, int[] positions) {
        ModelConfig c = config;
        int hd = c.headDim(), kvDim = c.kvDim(), kvh = h0 / (c.heads() / c.kvHeads());
        KvCache cache = caches[lo];
        int span = positions[hi - 1] + 1; // positions of a run ascend: the last token sees the most
        AttentionScratch sc = ATTENTION_SCRATCH.get();
        sc.ensure(span * hd, hd);
        HalfAttention.widenHead(cache.keys[layer], kvDim, kvh * hd, span, hd, sc.keys);
        HalfAttention.widenHead(cache.values[layer], kvDim, kvh * hd, span, hd, sc.values);
        attendHeads(lo, hi, h0, h1, q, att, sc.keys, sc.values, hd, 0, positions, sc);
    }

    /**
     * As {@link #attendGroup}, over keys and values already widened for the whole batch (rows of kvDim floats
     * per position, the run of tokens [lo, hi) from {@code wideBase[lo]}).
     */
    private void attendShared(int lo, int hi, int h0, int h1, FloatBatch q, FloatBatch att, float[] keys, float[] values,
                              int[] wideBase, int[] positions) {
        ModelConfig c = config;
        int hd = c.headDim(), kvDim = c.kvDim(), kvOff = wideBase[lo] + h0 / (c.heads() / c.kvHeads()) * hd;
        AttentionScratch sc = ATTENTION_SCRATCH.get();
        sc.ensure(0, hd);
        attendHeads(lo, hi, h0, h1, q, att, keys, values, kvDim, kvOff, positions, sc);
    }

    /**
     * Query heads [h0, h1) of tokens [lo, hi) against widened keys and values (rows of {@code stride} floats per
     * position, this head group's values from {@code off}): each query rounded to half, then ggml's flash-attention
     * order ({@link HalfAttention#attend}, or the scalar form for head widths it does not cover; those only come
     * with a per-head copy, stride = head width and off = 0).
     */
    private void attendHeads(int lo, int hi, int h0, int h1, FloatBatch q, FloatBatch att, float[] keys, float[] values,
                             int stride, int off, int[] positions, AttentionScratch sc) {
        int hd = config.headDim();
        float scale = (float) (1.0 / Math.sqrt(hd));
        float[] qh = sc.query, qd = q.data();
        for (int i = lo; i < hi; i++) {
            for (int h = h0; h < h1; h++) {
                int qo = q.offset(i) + h * hd;
                for (int d = 0; d < hd; d++) qh[d] = toHalf(qd[qo + d]);
                int ao = att.offset(i) + h * hd;
                if (HalfAttention.supports(hd)) {
                    sc.ensurePositions(positions[i] + 1);
                    HalfAttention.attend(qh, keys, values, stride, off, positions[i], hd, scale, sc.acc, att.data(), ao, sc.positions);
                } else {
                    attendScalar(qh, keys, values, positions[i], hd, scale, sc.acc, att.data(), ao);
                }
            }
        }
    }

    /** The scalar form of {@link HalfAttention#attend} over a widened head (rows of {@code hd}), for head widths it does not cover. */
    private static void attendScalar(float[] qh, float[] kc, float[] vc, int last, int hd, float scale, float[] acc, float[] out, int ao) {
        java.util.Arrays.fill(acc, 0, hd, 0f);
        float m = Float.NEGATIVE_INFINITY, s = 0f;
        for (int t = 0; t <= last; t++) {
            int ko = t * hd;
            float score = dotF16(kc, ko, qh, hd) * scale;
            float ms = 1f, vs = 1f;
            if (score > m) {
                float old = m;
                m = score;
                ms = GgmlMath.expf(old - m);
                for (int d = 0; d < hd; d++) acc[d] = toHalf(acc[d] * ms);
            } else {
                vs = GgmlMath.expf(score - m);
            }
            for (int d = 0; d < hd; d++) {
                float val = vc[ko + d];
                acc[d] = toHalf(Math.fma(val, vs, acc[d])); // ggml's vector loop and its (contracted) scalar tail both fuse
            }
            s = Math.fma(s, ms, vs);
        }
        float inv = s == 0f ? 0f : 1f / s;
        for (int d = 0; d < hd; d++) out[ao + d] = acc[d] * inv;
    }

    /**
     * ggml_vec_dot_f16 (x86 AVX/F16C build) over values already rounded to half: the first n & ~31 elements
     * in four 8-lane float accumulators with fused multiply-adds, reduced as GGML_F32x8_REDUCE
     * ((a0+a2)+(a1+a3), then the two 128-bit halves, then two horizontal adds); the tail in double.
     */
    static float dotF16(float[] k, int ko, float[] q, int n) {
        int np = n & ~31;
        double sumf = 0;
        if (np > 0) {
            float[] acc = new float[32];
            for (int i = 0; i < np; i += 32) {
                for (int j = 0; j < 32; j++) acc[j] = Math.fma(k[ko + i + j], q[i + j], acc[j]);
            }
            float[] x = new float[8];
            for (int l = 0; l < 8; l++) x[l] = (acc[l] + acc[16 + l]) + (acc[8 + l] + acc[24 + l]);
            float t0 = x[0] + x[4], t1 = x[1] + x[5], t2 = x[2] + x[6], t3 = x[3] + x[7];
            sumf = (t0 + t1) + (t2 + t3);
        }
        for (int i = np; i < n; i++) sumf += k[ko + i] * q[i];
        return (float) sumf;
    }

    static float toHalf(float v) {
        return Float.float16ToFloat(Float.floatToFloat16(v));
    }

    /** ggml_rms_norm (sum of squares in double) followed by the elementwise weight, rows [r0, r1). */
    static void rmsNorm(FloatBatch in, FloatBatch out, float[] weight, float eps, int r0, int r1) {
        int dim = in.cols();
        float[] x = in.data(), o = out.data();
        for (int r = r0; r < r1; r++) {
            int off = r * dim;
            double sum = 0;
            for (int j = 0; j < dim; j++) sum += x[off + j] * x[off + j];
            float mean = (float) (sum / dim); // ggml keeps the mean in float
            float scale = 1f / (float) Math.sqrt(mean + eps);
            for (int j = 0; j < dim; j++) o[off + j] = (x[off + j] * scale) * weight[j];
        }
    }

    private static void headNorm(float[] x, int off, int nHeads, int hd, float[] weight, float eps) {
        for (int h = 0; h < nHeads; h++) {
            int base = off + h * hd;
            double sum = 0;
            for (int j = 0; j < hd; j++) sum += x[base + j] * x[base + j];
            float mean = (float) (sum / hd);
            float scale = 1f / (float) Math.sqrt(mean + eps);
            for (int j = 0; j < hd; j++) x[base + j] = (x[base + j] * scale) * weight[j];
        }
    }

    private static void addBias(FloatBatch b, int row, float[] bias) {
        if (bias == null) return;
        int off = b.offset(row);
        float[] d = b.data();
        for (int j = 0; j < bias.length; j++) d[off + j] += bias[j];
    }

    /** x += y over rows [r0, r1). */
    private static void add(FloatBatch x, FloatBatch y, int r0, int r1) {
        float[] a = x.data(), b = y.data();
        int cols = x.cols();
        for (int i = r0 * cols; i < r1 * cols; i++) a[i] += b[i];
    }

    /** gate = silu(gate) * up, rows [r0, r1). */
    private static void swiglu(FloatBatch gate, FloatBatch up, int r0, int r1) {
        for (int r = r0; r < r1; r++) GgmlMath.swiglu(gate.data(), up.data(), gate.offset(r), gate.cols());
    }
}
