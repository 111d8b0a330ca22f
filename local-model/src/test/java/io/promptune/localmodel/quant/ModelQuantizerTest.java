package io.promptune.localmodel.quant;

import io.promptune.localmodel.gguf.GgmlType;
import io.promptune.localmodel.gguf.GgufException;
import io.promptune.localmodel.gguf.GgufFile;
import io.promptune.localmodel.gguf.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ModelQuantizerTest {
    @TempDir
    Path dir;

    private static Path stories(String name) {
        Path shared = Fixtures.shared();
        assumeTrue(shared != null, "../shared not present");
        Path p = shared.resolve("models/stories260K/" + name);
        assumeTrue(Files.exists(p), name + " absent");
        return p;
    }

    /** The whole file, not just one tensor: our Q8_0/Q4_0/Q4_1 stories260K equals llama-quantize's. */
    @ParameterizedTest
    @ValueSource(strings = {"Q8_0", "Q4_0", "Q4_1"})
    void quantizingStoriesF32MatchesLlamaQuantizeFile(String type) throws IOException {
        Path in = stories("stories260K-f32.gguf"), ref = stories("stories260K-" + type + ".gguf");
        Path out = dir.resolve("out.gguf");
        List<String> seen = new ArrayList<>();
        new ModelQuantizer(2).quantize(in, out, QuantTarget.parse(type), (i, n, e) -> seen.add(e.name()));
        try (GgufFile ours = GgufFile.open(out); GgufFile theirs = GgufFile.open(ref)) {
            // llama-quantize sorts tensors by layer; we keep the input's order: same set, maybe reordered
            assertEquals(theirs.tensorNames().stream().sorted().toList(), ours.tensorNames().stream().sorted().toList());
            assertEquals(ours.tensorNames(), seen, "progress reported every tensor in order");
            for (TensorInfo t : theirs.tensors().values()) {
                TensorInfo o = ours.tensor(t.name());
                assertEquals(t.type(), o.type(), t.name());
                long mismatch = ours.tensorData(o).mismatch(theirs.tensorData(t));
                assertEquals(-1, mismatch, t.name() + " differs at byte " + mismatch);
            }
            assertEquals(theirs.get("general.file_type"), ours.get("general.file_type"));
            for (String key : theirs.metadata().keySet()) {
                if (key.equals("general.file_type") || key.equals("general.quantization_version")) continue;
                assertTrue(java.util.Objects.deepEquals(theirs.get(key), ours.get(key)), key);
                assertEquals(theirs.valueType(key), ours.valueType(key), key);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"F16", "BF16"})
    void floatTargetsConvertWeightMatricesAndKeepNorms(String type) throws IOException {
        Path in = stories("stories260K-f32.gguf"), out = dir.resolve("f.gguf");
        new ModelQuantizer(2).quantize(in, out, QuantTarget.parse(type), (i, n, e) -> {});
        GgmlType t = GgmlType.valueOf(type);
        try (GgufFile src = GgufFile.open(in); GgufFile f = GgufFile.open(out)) {
            assertEquals(GgmlType.F32, f.tensor("output_norm.weight").type());
            for (String name : new String[]{"token_embd.weight", "blk.2.ffn_down.weight", "blk.4.attn_v.weight"}) {
                TensorInfo o = f.tensor(name), s = src.tensor(name);
                assertEquals(t, o.type(), name);
                float[] x = new float[(int) s.elementCount()];
                QuantFormats.of(GgmlType.F32).dequantize(src.tensorData(s), 0, x.length, x, 0);
                assertEquals(-1, f.tensorData(o).mismatch(MemorySegment.ofArray(QuantFormats.of(t).quantize(x))), name);
            }
            assertEquals(QuantTarget.parse(type).fileType(), f.getInt("general.file_type"));
        }
    }

    @Test
    void kQuantsFallBackOnStoriesNarrowRowsLikeLlamaCpp() throws IOException {
        Path in = stories("stories260K-f32.gguf");
        try (GgufFile f = GgufFile.open(in)) {
            Map<String, QuantizationPlan.Entry> plan = ModelQuantizer.plan(f, QuantTarget.Q4_K).stream()
                    .collect(Collectors.toMap(QuantizationPlan.Entry::name, Function.identity()));
            assertEquals(GgmlType.Q5_0, plan.get("blk.0.attn_q.weight").to(), "64-wide rows: Q4_K -> Q5_0");
            assertEquals(GgmlType.F16, plan.get("blk.0.ffn_down.weight").to(), "172-wide rows: -> F16");
            assertEquals(GgmlType.F32, plan.get("blk.0.attn_norm.weight").to());
        }
    }

    @Test
    void q4KMMixFollowsLlamaCppRulesOnTinyLlamaShape() {
        var shape = RandomModelWriter.Shape.tinyLlama();
        List<QuantizationPlan.Entry> plan = QuantizationPlan.plan(RandomModelWriter.tensors(shape), QuantTarget.Q4_K_M, 22);
        Map<String, GgmlType> t = plan.stream().collect(Collectors.toMap(QuantizationPlan.Entry::name, QuantizationPlan.Entry::to));
        assertEquals(GgmlType.Q6_K, t.get("output.weight"));
        assertEquals(GgmlType.Q4_K, t.get("token_embd.weight"));
        assertEquals(GgmlType.F32, t.get("output_norm.weight"));
        assertEquals(GgmlType.F32, t.get("blk.3.ffn_norm.weight"));
        assertEquals(GgmlType.Q4_K, t.get("blk.3.attn_q.weight"));
        // use_more_bits(i, 22): i < 2, i >= 19, or (i - 2) % 3 == 2  -> layers 0,1,4,7,10,13,16,19,20,21
        List<Integer> more = new ArrayList<>();
        for (int l = 0; l < 22; l++) {
            GgmlType v = t.get("blk." + l + ".attn_v.weight"), d = t.get("blk." + l + ".ffn_down.weight");
            assertEquals(v, d, "layer " + l);
            if (v == GgmlType.Q6_K) more.add(l); else assertEquals(GgmlType.Q4_K, v);
        }
        assertEquals(List.of(0, 1, 4, 7, 10, 13, 16, 19, 20, 21), more);
    }

    @Test
    void tiedEmbeddingsGetTheOutputTypeInTheMix() {
        var inputs = new ArrayList<>(RandomModelWriter.tensors(new RandomModelWriter.Shape(256, 2, 4, 4, 512, 1000, 128)));
        inputs.removeIf(i -> i.name().equals("output.weight"));
        var plan = QuantizationPlan.plan(inputs, QuantTarget.Q4_K_M, 2);
        assertEquals(GgmlType.Q6_K, plan.getFirst().to());
        assertEquals("token_embd.weight", plan.getFirst().name());
    }

    @Test
    void notAGgufFileIsAClearError() throws IOException {
        Path bad = dir.resolve("bad.gguf");
        Files.writeString(bad, "this is not a model");
        var e = assertThrows(GgufException.class,
                () -> new ModelQuantizer(1).quantize(bad, dir.resolve("o.gguf"), QuantTarget.Q8_0, (i, n, x) -> {}));
        assertTrue(e.getMessage().contains("bad.gguf"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("o.gguf")));
    }

    @Test
    void unknownTypeNamesListTheValidOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> QuantTarget.parse("Q3_K"));
        assertTrue(e.getMessage().contains("Q4_K_M"), e.getMessage());
        assertEquals(QuantTarget.Q4_K_M, QuantTarget.parse("q4_k_m"));
    }

    @Test
    void randomModelIsReadableAndRequantizable() throws IOException {
        var shape = new RandomModelWriter.Shape(256, 2, 4, 2, 512, 300, 128);
        Path f32 = dir.resolve("r-f32.gguf"), q = dir.resolve("r-q4km.gguf"), q6 = dir.resolve("r-q6k.gguf");
        new RandomModelWriter(2).write(shape, QuantTarget.F32, null, 1, f32, (i, n, e) -> {});
        new RandomModelWriter(2).write(shape, QuantTarget.Q4_K_M, null, 1, q, (i, n, e) -> {});
        try (GgufFile a = GgufFile.open(f32); GgufFile b = GgufFile.open(q)) {
            assertEquals(256, a.getInt("llama.embedding_length"));
            assertEquals(2, a.getInt("llama.attention.head_count_kv"));
            assertEquals(GgmlType.Q6_K, b.tensor("output.weight").type());
            assertEquals(GgmlType.Q4_K, b.tensor("blk.0.attn_q.weight").type());
            // the same seed gives the same values: the Q4_K_M file is the F32 one quantized
            TensorInfo tf = a.tensor("blk.1.ffn_up.weight");
            float[] x = new float[(int) tf.elementCount()];
            QuantFormats.of(GgmlType.F32).dequantize(a.tensorData(tf), 0, x.length, x, 0);
            byte[] expected = QuantFormats.of(GgmlType.Q4_K).quantize(x);
            assertEquals(-1, b.tensorData(b.tensor("blk.1.ffn_up.weight")).mismatch(MemorySegment.ofArray(expected)));
            double sum2 = 0;
            for (float v : x) sum2 += v * v;
            assertEquals(0.02, Math.sqrt(sum2 / x.length), 0.002, "weights have std 0.02");
        }
        // requantizing a quantized file works too (dequantize, then encode)
        new ModelQuantizer(2).quantize(q, q6, QuantTarget.Q6_K, (i, n, e) -> {});
        try (GgufFile c = GgufFile.open(q6)) {
            assertEquals(GgmlType.Q6_K, c.tensor("blk.0.attn_q.weight").type());
            assertEquals(18, c.getInt("general.file_type"));
        }
    }

    @Test
    void randomModelCopiesTheVocabulary() throws IOException {
        Path shared = Fixtures.shared();
        assumeTrue(shared != null);
        Path vocab = shared.resolve("models/vocab/ggml-vocab-llama-spm.gguf");
        assumeTrue(Files.exists(vocab));
        Path out = dir.resolve("v.gguf");
        new RandomModelWriter(2).write(new RandomModelWriter.Shape(64, 1, 2, 1, 128, 10, 64), QuantTarget.Q8_0, vocab, 5, out,
                (i, n, e) -> {});
        try (GgufFile v = GgufFile.open(vocab); GgufFile f = GgufFile.open(out)) {
            String[] tokens = (String[]) v.get("tokenizer.ggml.tokens");
            assertArrayEquals(tokens, (String[]) f.get("tokenizer.ggml.tokens"));
            assertEquals(tokens.length, f.tensor("token_embd.weight").shape()[1]);
            assertEquals(v.getString("tokenizer.ggml.model"), f.getString("tokenizer.ggml.model"));
        }
    }
}
