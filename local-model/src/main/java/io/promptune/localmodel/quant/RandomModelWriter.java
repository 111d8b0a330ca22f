package io.promptune.localmodel.quant;

import io.promptune.localmodel.gguf.GgmlType;
import io.promptune.localmodel.gguf.GgufFile;
import io.promptune.localmodel.gguf.GgufWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/**
 * Writes a llama-architecture GGUF of any shape with random weights, for speed benchmarks (its text is
 * noise). Weights are uniform with standard deviation 0.02, norms are 1; every value is a function of
 * (seed, tensor, row), so the same arguments give the same file. The tokenizer is copied from a
 * vocabulary GGUF (e.g. llama.cpp's ggml-vocab-llama-spm.gguf), whose size then fixes the vocabulary.
 */
public final class RandomModelWriter {

    /** The hyperparameters of a llama-family model. */
    public record Shape(int dim, int layers, int heads, int kvHeads, int ffn, int vocab, int contextLength) {
        public Shape {
            if (dim <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || ffn <= 0 || vocab <= 0 || contextLength <= 0) {
                throw new IllegalArgumentException("all model dimensions must be positive: " + this);
            }
            if (dim % heads != 0) throw new IllegalArgumentException("dim " + dim + " is not a multiple of heads " + heads);
            if (heads % kvHeads != 0) throw new IllegalArgumentException("heads " + heads + " is not a multiple of kv heads " + kvHeads);
        }

        /** TinyLlama-1.1B: dim 2048, 22 layers, 32 heads, 4 KV heads, ffn 5632, vocab 32000. */
        public static Shape tinyLlama() {
            return new Shape(2048, 22, 32, 4, 5632, 32000, 2048);
        }

        public int kvDim() { return dim / heads * kvHeads; }

        public Shape withVocab(int v) { return new Shape(dim, layers, heads, kvHeads, ffn, v, contextLength); }
    }

    private final int threads;

    public RandomModelWriter(int threads) {
        this.threads = Math.max(1, threads);
    }

    public RandomModelWriter() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /**
     * Writes the model to {@code out} in {@code target}'s types. With a vocabulary file the shape's vocab
     * size is replaced by the vocabulary's token count.
     */
    public void write(Shape shape, QuantTarget target, Path vocabGguf, long seed, Path out, ModelQuantizer.Progress progress)
            throws IOException {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "llama");
        w.putString("general.name", "random-" + shape.dim() + "x" + shape.layers());
        w.putUint32("general.file_type", target.fileType());
        if (target.isQuantized()) w.putUint32("general.quantization_version", 2);
        GgufFile vocab = vocabGguf == null ? null : GgufFile.open(vocabGguf);
        try (vocab; ForkJoinPool pool = new ForkJoinPool(threads)) {
            if (vocab != null) {
                Object tokens = vocab.get("tokenizer.ggml.tokens");
                if (!(tokens instanceof String[] ts)) throw new IllegalArgumentException(vocabGguf + ": no tokenizer.ggml.tokens array");
                shape = shape.withVocab(ts.length);
            }
            w.putUint32("llama.context_length", shape.contextLength());
            w.putUint32("llama.embedding_length", shape.dim());
            w.putUint32("llama.block_count", shape.layers());
            w.putUint32("llama.feed_forward_length", shape.ffn());
            w.putUint32("llama.rope.dimension_count", shape.dim() / shape.heads());
            w.putUint32("llama.attention.head_count", shape.heads());
            w.putUint32("llama.attention.head_count_kv", shape.kvHeads());
            w.putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
            w.putFloat32("llama.rope.freq_base", 10000f);
            w.putUint32("llama.vocab_size", shape.vocab());
            if (vocab != null) {
                for (String key : vocab.metadata().keySet()) if (key.startsWith("tokenizer.")) w.copy(vocab, key);
            }
            List<QuantizationPlan.Input> inputs = tensors(shape);
            List<QuantizationPlan.Entry> plan = QuantizationPlan.plan(inputs, target, shape.layers());
            for (int i = 0; i < plan.size(); i++) {
                QuantizationPlan.Entry e = plan.get(i);
                long rowLen = e.shape()[0];
                long rows = Arrays.stream(e.shape()).reduce(1, (a, b) -> a * b) / rowLen;
                boolean norm = e.shape().length == 1;
                long tensorSeed = mix(seed ^ mix(i + 1L));
                RowConverter.RowSource src = norm ? (row, dst, off) -> Arrays.fill(dst, off, off + (int) rowLen, 1f)
                        : (row, dst, off) -> fillUniform(tensorSeed, row, dst, off, (int) rowLen);
                var encode = RowConverter.encode(src, rowLen, rows, e.to(), pool);
                int index = i;
                w.addTensor(e.name(), e.shape(), e.to(), sink -> {
                    progress.tensor(index, plan.size(), e);
                    encode.writeTo(sink);
                });
            }
            w.write(out);
        }
    }

    /** The tensors of a llama model in llama.cpp's conversion order, all F32 before planning. */
    static List<QuantizationPlan.Input> tensors(Shape s) {
        List<QuantizationPlan.Input> t = new ArrayList<>();
        t.add(in("token_embd.weight", s.dim(), s.vocab()));
        for (int l = 0; l < s.layers(); l++) {
            String p = "blk." + l + ".";
            t.add(in(p + "attn_norm.weight", s.dim()));
            t.add(in(p + "attn_q.weight", s.dim(), s.dim()));
            t.add(in(p + "attn_k.weight", s.dim(), s.kvDim()));
            t.add(in(p + "attn_v.weight", s.dim(), s.kvDim()));
            t.add(in(p + "attn_output.weight", s.dim(), s.dim()));
            t.add(in(p + "ffn_norm.weight", s.dim()));
            t.add(in(p + "ffn_gate.weight", s.dim(), s.ffn()));
            t.add(in(p + "ffn_down.weight", s.ffn(), s.dim()));
            t.add(in(p + "ffn_up.weight", s.dim(), s.ffn()));
        }
        t.add(in("output_norm.weight", s.dim()));
        t.add(in("output.weight", s.dim(), s.vocab()));
        return t;
    }

    private static QuantizationPlan.Input in(String name, long... shape) {
        return new QuantizationPlan.Input(name, shape, GgmlType.F32);
    }

    /** Uniform values in [-a, a] with a = 0.02 * sqrt(3) (std 0.02), from a per-row splitmix64 stream. */
    private static void fillUniform(long tensorSeed, long row, float[] dst, int off, int n) {
        long state = mix(tensorSeed + row * 0x9E3779B97F4A7C15L);
        float a = 0.02f * (float) Math.sqrt(3);
        for (int i = 0; i < n; i++) {
            state += 0x9E3779B97F4A7C15L;
            long z = mix(state);
            dst[off + i] = ((z >>> 40) * 0x1.0p-24f * 2f - 1f) * a;
        }
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Command line for bench scripts (run with the promptune jar on the class path):
     * {@code RandomModelWriter OUT TYPE [--shape tinyllama|DIM,LAYERS,HEADS,KV_HEADS,FFN,VOCAB] [--vocab FILE]
     * [--seed N] [--threads N]}. Progress on stderr; exit 2 on bad arguments.
     */
    public static void main(String[] args) {
        try {
            if (args.length < 2) throw new IllegalArgumentException(
                    "usage: RandomModelWriter OUT TYPE [--shape tinyllama|DIM,LAYERS,HEADS,KV_HEADS,FFN,VOCAB] [--vocab FILE] [--seed N] [--threads N]");
            Path out = Path.of(args[0]);
            QuantTarget target = QuantTarget.parse(args[1]);
            Shape shape = Shape.tinyLlama();
            Path vocab = null;
            long seed = 1;
            int threads = Runtime.getRuntime().availableProcessors();
            for (int i = 2; i < args.length; i++) {
                String a = args[i];
                if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
                String v = args[++i];
                switch (a) {
                    case "--shape" -> shape = parseShape(v);
                    case "--vocab" -> vocab = Path.of(v);
                    case "--seed" -> seed = Long.parseLong(v);
                    case "--threads" -> threads = Integer.parseInt(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            long start = System.nanoTime();
            new RandomModelWriter(threads).write(shape, target, vocab, seed, out,
                    (i, n, e) -> System.err.printf("[%4d/%d] %-32s -> %s%n", i + 1, n, e.name(), e.to()));
            System.err.printf("wrote %s (%.1f MiB) in %.1f s%n", out, out.toFile().length() / 1048576.0, (System.nanoTime() - start) / 1e9);
        } catch (IllegalArgumentException | io.promptune.localmodel.gguf.GgufException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        } catch (IOException e) {
            System.err.println("error: cannot write: " + e.getMessage());
            System.exit(1);
        }
    }

    static Shape parseShape(String s) {
        if (s.equalsIgnoreCase("tinyllama")) return Shape.tinyLlama();
        String[] p = s.split(",");
        if (p.length != 6) throw new IllegalArgumentException("--shape wants tinyllama or DIM,LAYERS,HEADS,KV_HEADS,FFN,VOCAB, got " + s);
        int[] v = Arrays.stream(p).mapToInt(x -> Integer.parseInt(x.trim())).toArray();
        return new Shape(v[0], v[1], v[2], v[3], v[4], v[5], 2048);
    }
}
