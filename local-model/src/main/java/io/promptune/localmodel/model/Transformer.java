package io.promptune.localmodel.model;

import io.promptune.localmodel.gguf.GgufFile;
import io.promptune.localmodel.tensor.FloatBatch;
import io.promptune.localmodel.tensor.Matmul;
import io.promptune.localmodel.tensor.Parallel;
import io.promptune.localmodel.tensor.WeightMatrix;

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

    public Transformer(GgufFile file, Parallel pool) {
        this.config = ModelConfig.read(file);
        this.weights = new ModelWeights(file, config);
        this.rope = new Rope(config, weights.ropeFreqFactors);
        this.pool = pool;
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
        int n = tokens.length;
        if (caches.length != n || positions.length != n) throw new IllegalArgumentException("tokens, caches and positions differ in length");
        ModelConfig c = config;
        for (int i = 0; i < n; i++) {
            if (tokens[i] < 0 || tokens[i] >= c.vocabSize()) {
                throw new IllegalArgumentException("token id " + tokens[i] + " outside the vocabulary (0.." + (c.vocabSize() - 1) + ")");
            }
            if (positions[i] >= c.contextLength()) throw new ContextOverflowException(c.name(), positions[i] + 1, c.contextLength());
        }
        checkPositions(caches, positions);
        for (int i = 0; i < n; i++) caches[i].ensureCapacity(positions[i] + 1);

        int dim = c.dim(), qDim = c.qDim(), kvDim = c.kvDim(), hd = c.headDim();
        FloatBatch x = new FloatBatch(n, dim);
        for (int i = 0; i < n; i++) weights.tokenEmbedding.dequantizeRow(tokens[i], x.data(), x.offset(i));
        FloatBatch xb = new FloatBatch(n, dim);
        FloatBatch q = new FloatBatch(n, qDim), k = new FloatBatch(n, kvDim), v = new FloatBatch(n, kvDim);
        FloatBatch att = new FloatBatch(n, qDim);
        FloatBatch gate = new FloatBatch(n, c.ffnDim()), up = new FloatBatch(n, c.ffnDim());
        float[][] ropeTables = new float[n][];
        for (int i = 0; i < n; i++) ropeTables[i] = rope.table(positions[i]);

        for (int l = 0; l < c.layers(); l++) {
            ModelWeights.Layer w = weights.layers[l];
            rmsNorm(x, xb, w.attnNorm, c.rmsEps());
            emit("attn_norm-" + l, xb);
            Matmul.run(pool, xb, new WeightMatrix[]{w.wq, w.wk, w.wv}, new FloatBatch[]{q, k, v});
            for (int i = 0; i < n; i++) {
                addBias(q, i, w.bq);
                addBias(k, i, w.bk);
                addBias(v, i, w.bv);
                if (w.qNorm != null) {
                    headNorm(q.data(), q.offset(i), c.heads(), hd, w.qNorm, c.rmsEps());
                    headNorm(k.data(), k.offset(i), c.kvHeads(), hd, w.kNorm, c.rmsEps());
                }
                rope.apply(q.data(), q.offset(i), c.heads(), hd, ropeTables[i]);
                rope.apply(k.data(), k.offset(i), c.kvHeads(), hd, ropeTables[i]);
                float[] kc = caches[i].keys[l], vc = caches[i].values[l];
                int dst = positions[i] * kvDim;
                for (int j = 0; j < kvDim; j++) {
                    kc[dst + j] = toHalf(k.get(i, j));
                    vc[dst + j] = toHalf(v.get(i, j));
                }
            }
            emit("Qcur-" + l, q);
            emit("Kcur-" + l, k);
            emit("Vcur-" + l, v);
            final int layer = l;
            pool.forEach(n * c.heads(), task -> attendHead(task / c.heads(), task % c.heads(), layer, q, att, caches, positions));
            emit("kqv_out-" + l, att);
            Matmul.run(pool, att, new WeightMatrix[]{w.wo}, new FloatBatch[]{xb});
            for (int i = 0; i < n; i++) addBias(xb, i, w.bo);
            emit("attn_out-" + l, xb);
            add(x, xb);
            emit("ffn_inp-" + l, x);
            rmsNorm(x, xb, w.ffnNorm, c.rmsEps());
            emit("ffn_norm-" + l, xb);
            Matmul.run(pool, xb, new WeightMatrix[]{w.gate, w.up}, new FloatBatch[]{gate, up});
            emit("ffn_gate-" + l, gate);
            emit("ffn_up-" + l, up);
            swiglu(gate, up);
            emit("ffn_swiglu-" + l, gate);
            Matmul.run(pool, gate, new WeightMatrix[]{w.down}, new FloatBatch[]{xb});
            emit("ffn_out-" + l, xb);
            add(x, xb);
            emit("l_out-" + l, x);
        }
        for (int i = 0; i < n; i++) caches[i].setLength(Math.max(caches[i].length(), positions[i] + 1));

        FloatBatch last = new FloatBatch(logitRows.length, dim);
        for (int r = 0; r < logitRows.length; r++) System.arraycopy(x.data(), x.offset(logitRows[r]), last.data(), last.offset(r), dim);
        FloatBatch normed = new FloatBatch(logitRows.length, dim);
        rmsNorm(last, normed, weights.outputNorm, c.rmsEps());
        FloatBatch logits = new FloatBatch(logitRows.length, c.vocabSize());
        Matmul.run(pool, normed, new WeightMatrix[]{weights.output}, new FloatBatch[]{logits});
        emit("result_output", logits);
        return logits;
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
     * One head of one token, as ggml's flash-attention kernel: Q rounded to half, scores over the
     * half-precision keys of positions 0..pos, an online softmax, values accumulated in half precision.
     * {@link HalfAttention} is the vectorized form; this scalar loop serves head widths it does not cover.
     */
    private void attendHead(int i, int h, int layer, FloatBatch q, FloatBatch att, KvCache[] caches, int[] positions) {
        ModelConfig c = config;
        int hd = c.headDim(), kvDim = c.kvDim();
        int kvh = h / (c.heads() / c.kvHeads());
        float[] qh = new float[hd];
        int qo = q.offset(i) + h * hd;
        for (int d = 0; d < hd; d++) qh[d] = toHalf(q.data()[qo + d]);
        float[] kc = caches[i].keys[layer], vc = caches[i].values[layer];
        float scale = (float) (1.0 / Math.sqrt(hd));
        float[] acc = new float[hd];
        if (HalfAttention.supports(hd)) {
            HalfAttention.attend(qh, kc, vc, kvDim, kvh * hd, positions[i], hd, scale, acc, att.data(), att.offset(i) + h * hd);
            return;
        }
        float m = Float.NEGATIVE_INFINITY, s = 0f;
        int last = positions[i];
        for (int t = 0; t <= last; t++) {
            int ko = t * kvDim + kvh * hd;
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
        int ao = att.offset(i) + h * hd;
        for (int d = 0; d < hd; d++) att.data()[ao + d] = acc[d] * inv;
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

    /** ggml_rms_norm (sum of squares in double) followed by the elementwise weight. */
    static void rmsNorm(FloatBatch in, FloatBatch out, float[] weight, float eps) {
        int dim = in.cols();
        float[] x = in.data(), o = out.data();
        for (int r = 0; r < in.rows(); r++) {
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
        for (int j = 0; j < bias.length; j++) b.data()[off + j] += bias[j];
    }

    private static void add(FloatBatch x, FloatBatch y) {
        float[] a = x.data(), b = y.data();
        int n = x.rows() * x.cols();
        for (int i = 0; i < n; i++) a[i] += b[i];
    }

    /** gate = silu(gate) * up, row by row. */
    private static void swiglu(FloatBatch gate, FloatBatch up) {
        for (int r = 0; r < gate.rows(); r++) GgmlMath.swiglu(gate.data(), up.data(), gate.offset(r), gate.cols());
    }
}
