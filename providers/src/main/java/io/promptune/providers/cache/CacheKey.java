package io.promptune.providers.cache;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptune.providers.ChatMessage;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.DecodingParams;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cache key of a request: a SHA-256 of the model id, the messages or prompt, every decoding
 * parameter and the seed. When the answer is random (temperature not 0 and no seed) the sample index
 * is part of the key too, so the 3rd sample of a request is always the same stored 3rd sample and
 * repeats stay repeats on a re-run.
 */
public final class CacheKey {
    /** Bump when the key's layout changes, so old entries are never misread. */
    private static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private CacheKey() { }

    public static String of(String modelId, CompletionRequest request) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("v", VERSION);
        doc.put("model", modelId);
        if (request.isChat()) {
            List<List<String>> msgs = new ArrayList<>();
            for (ChatMessage m : request.messages()) msgs.add(List.of(m.role(), m.content()));
            doc.put("messages", msgs);
        } else {
            doc.put("prompt", request.rawPrompt());
        }
        DecodingParams p = request.params();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("temperature", p.temperature());
        params.put("top_k", p.topK());
        params.put("top_p", p.topP());
        params.put("min_p", p.minP());
        params.put("repetition_penalty", p.repetitionPenalty());
        params.put("frequency_penalty", p.frequencyPenalty());
        params.put("presence_penalty", p.presencePenalty());
        params.put("max_tokens", p.maxTokens());
        params.put("stop", p.stop());
        params.put("seed", p.seed());
        doc.put("params", params);
        doc.put("sample", isDeterministic(p) ? null : request.sampleIndex());
        try {
            return sha256(JSON.writeValueAsString(doc));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise cache key", e);
        }
    }

    /** Greedy decoding or a fixed seed: every sample of the request is the same answer. */
    static boolean isDeterministic(DecodingParams p) {
        return p.seed() != null || (p.temperature() != null && p.temperature() == 0.0);
    }

    private static String sha256(String s) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
