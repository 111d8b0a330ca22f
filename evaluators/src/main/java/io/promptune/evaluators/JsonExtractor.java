package io.promptune.evaluators;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds JSON in a model's output: the whole output if it parses; else the first fenced code block
 * (```json ... ``` or ``` ... ```) that parses; else the first balanced {...} or [...] that parses.
 * Models often wrap JSON in prose or fences, and a metric should judge the JSON, not the wrapping.
 */
public final class JsonExtractor {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Pattern FENCE = Pattern.compile("```[A-Za-z0-9_-]*[ \\t]*\\r?\\n(.*?)```", Pattern.DOTALL);

    private JsonExtractor() { }

    /** Where the JSON was found, for the report. */
    public enum Source { WHOLE, FENCE, EMBEDDED }

    public record Found(JsonNode json, Source source) { }

    public static Optional<Found> extract(String text) {
        if (text == null) return Optional.empty();
        Optional<JsonNode> whole = parse(text.strip());
        if (whole.isPresent()) return Optional.of(new Found(whole.get(), Source.WHOLE));
        Matcher m = FENCE.matcher(text);
        while (m.find()) {
            Optional<JsonNode> j = parse(m.group(1).strip());
            if (j.isPresent()) return Optional.of(new Found(j.get(), Source.FENCE));
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '{' && c != '[') continue;
            int end = balancedEnd(text, i);
            if (end < 0) continue;
            Optional<JsonNode> j = parse(text.substring(i, end + 1));
            if (j.isPresent()) return Optional.of(new Found(j.get(), Source.EMBEDDED));
        }
        return Optional.empty();
    }

    /** Parses strictly; blank text and bare scalars count as "no JSON" only when {@code containersOnly}. */
    static Optional<JsonNode> parse(String s) {
        if (s.isEmpty()) return Optional.empty();
        try {
            return Optional.of(MAPPER.readTree(s));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /** Index of the bracket closing the one at {@code start}, skipping strings; -1 if none. */
    private static int balancedEnd(String s, int start) {
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inString) {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (--depth == 0) return i;
            }
        }
        return -1;
    }
}
