package io.promptune.localmodel.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptune.localmodel.gguf.GgufFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Our tokenization of the default model (SmolLM2, BPE pre "smollm") and of stories260K (SentencePiece)
 * against llama.cpp's (llama-cpp-python, vocab only) on a few hundred strings, with and without
 * special-token parsing and BOS. Fixtures written by bench/peers/make_tokenizer_reference.py.
 */
class LlamaCppReferenceTest {

    @Test
    void smolLm2MatchesLlamaCpp() throws IOException {
        Optional<Path> model = TestData.defaultModel();
        assumeTrue(model.isPresent(), "default model not fetched");
        check(model.get(), "/tokenizer/smollm2-135m-reference.json");
    }

    @Test
    void smolLm2DecodesStreamsAndKnowsItsEndTokens() throws IOException {
        Optional<Path> model = TestData.defaultModel();
        assumeTrue(model.isPresent(), "default model not fetched");
        JsonNode root;
        try (InputStream in = getClass().getResourceAsStream("/tokenizer/smollm2-135m-reference.json")) {
            root = new ObjectMapper().readTree(in);
        }
        try (GgufFile f = GgufFile.open(model.get())) {
            Tokenizer tok = Tokenizer.fromGguf(f);
            List<String> failures = new ArrayList<>();
            for (JsonNode c : root.get("cases")) {
                String text = c.get("text").asText();
                int[] ids = tok.encode(text, false, false);
                if (!tok.decode(ids).equals(text)) failures.add("decode " + LlamaCppVocabVectorsTest.quote(text));
                java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
                for (int id : ids) stream.writeBytes(tok.tokenBytes(id));
                if (!Arrays.equals(stream.toByteArray(), text.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
                    failures.add("tokenBytes " + LlamaCppVocabVectorsTest.quote(text));
                }
            }
            assertEquals(List.of(), failures);
            int imEnd = tok.encode("<|im_end|>", false, true)[0];
            assertEquals("<|im_end|>", tok.tokenText(imEnd));
            assertTrue(tok.isEndOfGeneration(imEnd) && tok.isEndOfGeneration(tok.eosId()) && tok.isControl(imEnd));
            int imStart = tok.encode("<|im_start|>", false, true)[0];
            assertTrue(!tok.isEndOfGeneration(imStart) && tok.isControl(imStart));
            assertTrue(!tok.isEndOfGeneration(tok.encode("Hello", false, false)[0]));
            assertEquals("", tok.decode(new int[] {imStart, imEnd}));
            assertEquals(49152, tok.vocabSize());
        }
    }

    @Test
    void stories260kMatchesLlamaCpp() throws IOException {
        Optional<Path> model = TestData.shared().map(s -> s.resolve("models/stories260K/stories260K-f32.gguf"))
                .filter(p -> p.toFile().isFile());
        assumeTrue(model.isPresent(), "shared stories260K model not present");
        check(model.get(), "/tokenizer/stories260k-reference.json");
    }

    private void check(Path gguf, String fixture) throws IOException {
        JsonNode root;
        try (InputStream in = getClass().getResourceAsStream(fixture)) {
            root = new ObjectMapper().readTree(in);
        }
        List<String> failures = new ArrayList<>();
        int n = 0;
        try (GgufFile f = GgufFile.open(gguf)) {
            Tokenizer tok = Tokenizer.fromGguf(f);
            for (JsonNode c : root.get("cases")) {
                String text = c.get("text").asText();
                compare(failures, text, "plain", ids(c.get("ids")), tok.encode(text, false, false));
                compare(failures, text, "special", ids(c.get("ids_special")), tok.encode(text, true, true));
                n++;
            }
        }
        assertTrue(n > 100, "fixture has too few cases");
        assertEquals(List.of(), failures, failures.size() + " of " + 2 * n + " encodings differ from llama.cpp");
    }

    private static void compare(List<String> failures, String text, String mode, int[] expected, int[] got) {
        if (!Arrays.equals(expected, got)) {
            failures.add(mode + " " + LlamaCppVocabVectorsTest.quote(text) + "\n   expected " + Arrays.toString(expected)
                    + "\n   got      " + Arrays.toString(got));
        }
    }

    private static int[] ids(JsonNode arr) {
        int[] out = new int[arr.size()];
        for (int i = 0; i < out.length; i++) out[i] = arr.get(i).asInt();
        return out;
    }
}
