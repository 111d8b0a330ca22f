package io.promptune.localmodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptune.localmodel.quant.QuantTarget;
import io.promptune.localmodel.quant.RandomModelWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Q4_K weights against llama.cpp bit for bit. A random llama-shaped model in pure Q4_K (every matrix,
 * rows % 8 == 0, so llama.cpp repacks them into block_q4_Kx8 on AVX2) is written by RandomModelWriter (its
 * bytes pinned by the SHA-256 llama.cpp was run on) and fed 14 token ids as one batch; llama.cpp's logits
 * at positions 12 and 13 (bench/peers/make_logits_reference.py, llama-cpp-python 0.3.36) must come out
 * exactly. Those rows go through llama.cpp's GEMV while the earlier rows, whose keys and values they attend
 * to, go through its GEMM (a batch's rows in whole fours), so both orders are pinned. The vec_dot order the
 * engine used before misses them by a few 1e-7.
 */
class KQuantParityTest {
    @Test
    void repackedQ4KLogitsEqualLlamaCppExactly(@TempDir Path dir) throws Exception {
        Path vocab = TestData.shared("models/vocab/ggml-vocab-llama-spm.gguf");
        JsonNode ref;
        try (InputStream in = getClass().getResourceAsStream("/kquant/random-Q4_K-logits.json")) {
            ref = new ObjectMapper().readTree(in);
        }
        Path model = dir.resolve("random-Q4_K.gguf");
        new RandomModelWriter(2).write(new RandomModelWriter.Shape(256, 2, 4, 2, 768, 32000, 2048), QuantTarget.Q4_K, vocab, 1,
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
                    assertEquals((float) t.get(1).asDouble(), logits[id], 0f, "position " + p + " token " + id);
                }
            }
        }
    }
}
