package io.promptune.localmodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptune.localmodel.quant.QuantTarget;
import io.promptune.localmodel.quant.RandomModelWriter;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * K-quant weights against llama.cpp bit for bit. A random llama-shaped model (RandomModelWriter, its bytes
 * pinned by the SHA-256 llama.cpp was run on) is fed token-id prefixes as one batch; llama.cpp's logits at the
 * reference's positions (bench/peers/make_logits_reference.py, llama-cpp-python 0.3.36, AVX2) must come out
 * exactly. llama.cpp picks its matmul kernel by weight layout and batch size, and the engine follows it:
 * <ul>
 * <li>Pure Q4_K (all 14 ids in one batch, logits of every row): every matrix has rows % 8 == 0, so llama.cpp
 * repacks them into block_q4_Kx8; positions 12 and 13 go through its GEMV while the earlier rows, whose keys and
 * values they attend to, go through its GEMM (a batch's rows in whole fours), so both orders are pinned. The
 * vec_dot order misses them by a few 1e-7.</li>
 * <li>Pure Q6_K (--per-prefix: ids[:p+1] as one batch, last row's logits): llama.cpp does not repack Q6_K on
 * x86. Batches below 8 rows (positions 0-6, and the output matrix's single row) run ggml_vec_dot_q6_K_q8_K,
 * which takes the 32 offset off per lane from the activations' block sums (q8sclsub); batches of 8 or more
 * run its tiled K-quant matmul (one exact total per super-block). Folding -32 into each weight misses by
 * 1e-7 to 1e-2 (a rounding difference that flips an activation's quantization).</li>
 * <li>Q4_K_M (the benchmark mix, --per-prefix): Q4_K repacked, Q6_K output/attn_v/ffn_down as above.</li>
 * </ul>
 */
class KQuantParityTest {
    @ParameterizedTest
    @ValueSource(strings = {"Q4_K", "Q6_K", "Q4_K_M"})
    void kQuantLogitsEqualLlamaCppExactly(String targetName, @TempDir Path dir) throws Exception {
        QuantTarget target = QuantTarget.valueOf(targetName);
        Path vocab = TestData.shared("models/vocab/ggml-vocab-llama-spm.gguf");
        JsonNode ref;
        try (InputStream in = getClass().getResourceAsStream("/kquant/random-" + targetName + "-logits.json")) {
            ref = new ObjectMapper().readTree(in);
        }
        Path model = dir.resolve("random-" + targetName + ".gguf");
        new RandomModelWriter(2).write(new RandomModelWriter.Shape(256, 2, 4, 2, 768, 32000, 2048), target, vocab, 1,
                model, (i, n, e) -> { });
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(model)));
        assertEquals(ref.get("sha256").asText(), sha, "RandomModelWriter's output changed: regenerate the reference with "
                + "bench/peers/make_logits_reference.py (see its usage) on the new file");
        int[] ids = new int[ref.get("ids").size()];
        for (int i = 0; i < ids.length; i++) ids[i] = ref.get("ids").get(i).asInt();
        try (LocalModel m = LocalModel.load(model, LocalModel.Options.defaults().withThreads(2))) {
            for (JsonNode pos : ref.get("positions")) {
                int p = pos.get("position").asInt();
                int[] prefix = java.util.Arrays.copyOf(ids, p + 1);
                float[] logits = m.newSession().feed(prefix); // one batch, as llama.cpp evaluated them
                for (JsonNode t : pos.get("top")) {
                    int id = t.get(0).asInt();
                    assertEquals((float) t.get(1).asDouble(), logits[id], 0f, targetName + " position " + p + " token " + id);
                }
            }
        }
    }
}
