package io.promptune.localmodel.quant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptune.localmodel.GenerationRequest;
import io.promptune.localmodel.LocalModel;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * End to end: stories260K-f32 quantized by our ModelQuantizer, run by the engine, against llama.cpp's
 * greedy F32 continuation (shared/models/stories260K/greedy-reference.json). Quantization changes the
 * numbers, so the check is agreement, not identity: teacher-forced on llama.cpp's F32 continuation, how
 * often our top-1 token is llama.cpp's F32 token; and how long the free-running greedy text stays equal.
 * Note stories260K's rows are 64 and 172 wide, so like llama.cpp our K targets fall back (Q4_K -> Q5_0,
 * Q5_K -> Q5_1, Q6_K -> Q8_0, ffn_down -> F16): this exercises those kernels, not the K kernels.
 */
class QuantizedGenerationTest {
    @TempDir
    Path dir;

    record Reference(String prompt, int[] promptIds, int[] ids) {}

    static List<Reference> f32References(Path storiesDir) throws IOException {
        List<Reference> out = new ArrayList<>();
        for (JsonNode e : new ObjectMapper().readTree(storiesDir.resolve("greedy-reference.json").toFile())) {
            if (!e.get("model").asText().equals("stories260K-f32.gguf")) continue;
            out.add(new Reference(e.get("prompt").asText(), ints(e.get("prompt_ids")), ints(e.get("ids"))));
        }
        return out;
    }

    private static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    /** llama.cpp's teacher-forced top-1 per step on the same file (bench/peers/teacher_forced_top1.py). */
    record LlamaTop1(int[] argmax, double[] gap) {}

    static List<LlamaTop1> llamaTop1(String type) throws IOException {
        List<LlamaTop1> out = new ArrayList<>();
        for (JsonNode e : new ObjectMapper().readTree(Fixtures.bytes("stories/llama-top1-" + type + ".json"))) {
            double[] gap = new double[e.get("gap").size()];
            for (int i = 0; i < gap.length; i++) gap[i] = e.get("gap").get(i).asDouble();
            out.add(new LlamaTop1(ints(e.get("argmax")), gap));
        }
        return out;
    }

    /** How far our agreement with the F32 continuation may be from llama.cpp's own on the same file. */
    static final double MAX_RATE_DIFFERENCE = 0.05;

    /**
     * Our quantized file must be byte-identical to the one llama.cpp was run on (its SHA-256 is committed).
     * On it, our teacher-forced top-1 agreement with llama.cpp's F32 continuation must be at least
     * {@code minF32Agreement} and within 0.05 of llama.cpp's own agreement on the same file. (The per-step
     * tokens are not compared strictly: the llama.cpp that produced the committed top-1 files is PyPI's
     * llama-cpp-python 0.3.36, which is not the reference build 9749 and itself differs from build 9749's
     * greedy reference on the shared Q8_0 file at 6 of 48 steps; equality with it is printed for information.)
     */
    @ParameterizedTest
    @CsvSource({"Q6_K, 0.88", "Q5_K, 0.6", "Q5_1, 0.6", "Q5_0, 0.55", "Q4_K, 0.55", "Q4_K_M, 0.55", "F16, 0.94", "BF16, 0.92"})
    void quantizedModelAgreesWithF32LikeLlamaCppDoes(String type, double minF32Agreement) throws Exception {
        Path shared = Fixtures.shared();
        assumeTrue(shared != null, "../shared not present");
        Path stories = shared.resolve("models/stories260K");
        assumeTrue(Files.exists(stories.resolve("stories260K-f32.gguf")), "stories260K absent");
        Path q = dir.resolve(type + ".gguf");
        new ModelQuantizer(2).quantize(stories.resolve("stories260K-f32.gguf"), q, QuantTarget.parse(type), (i, n, e) -> {});
        String sums = new String(Fixtures.bytes("stories/SHA256SUMS"), java.nio.charset.StandardCharsets.UTF_8);
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(q)));
        assertTrue(sums.contains(sha + "  " + type + ".gguf"), type + ": quantized file differs from the one llama.cpp was run on");
        List<LlamaTop1> llama = llamaTop1(type);
        int agreeF32 = 0, agreeLlama = 0, llamaAgreeF32 = 0, steps = 0;
        List<String> greedy = new ArrayList<>();
        try (LocalModel m = LocalModel.load(q, LocalModel.Options.defaults().withThreads(2))) {
            List<Reference> refs = f32References(stories);
            for (int k = 0; k < refs.size(); k++) {
                Reference ref = refs.get(k);
                int n = ref.ids().length;
                int[] seq = new int[ref.promptIds().length + n - 1];
                System.arraycopy(ref.promptIds(), 0, seq, 0, ref.promptIds().length);
                System.arraycopy(ref.ids(), 0, seq, ref.promptIds().length, n - 1);
                float[][] logits = m.logits(seq);
                for (int s = 0; s < n; s++) {
                    int ours = argmax(logits[ref.promptIds().length - 1 + s]);
                    if (ours == ref.ids()[s]) agreeF32++;
                    if (ours == llama.get(k).argmax()[s]) agreeLlama++;
                    if (llama.get(k).argmax()[s] == ref.ids()[s]) llamaAgreeF32++;
                    steps++;
                }
                int[] got = m.generate(GenerationRequest.ofTokens(ref.promptIds()).withMaxTokens(n)).tokens();
                int same = 0;
                while (same < Math.min(got.length, n) && got[same] == ref.ids()[same]) same++;
                greedy.add(same + "/" + n);
            }
        }
        double rate = agreeF32 / (double) steps, llamaRate = llamaAgreeF32 / (double) steps;
        System.out.printf("%s: teacher-forced top-1 agreement with llama.cpp's F32 continuation: ours %d/%d = %.3f, llama-cpp-python"
                + " on the same file %.3f; top-1 equal to llama-cpp-python %d/%d; greedy prefix equal to F32 %s%n",
                type, agreeF32, steps, rate, llamaRate, agreeLlama, steps, greedy);
        assertTrue(rate >= minF32Agreement, type + ": agreement with F32 " + rate + " below " + minF32Agreement);
        assertTrue(Math.abs(rate - llamaRate) <= MAX_RATE_DIFFERENCE, type + ": agreement " + rate + " vs llama.cpp's " + llamaRate);
    }
}
