package io.promptune.providers.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptune.providers.ChatMessage;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.DecodingParams;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads an OpenAI chat or text completion request body into our {@link CompletionRequest}, checking
 * every field's type; anything wrong is a 400 naming the field. Besides OpenAI's own parameters it
 * takes top_k, min_p and repetition_penalty (as vLLM does; llama.cpp's "repeat_penalty" too).
 */
final class OpenAiRequestParser {
    static final int MAX_N = 16;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the handler needs besides the request itself. */
    record Parsed(CompletionRequest request, boolean stream, boolean includeUsage, int n) { }

    private OpenAiRequestParser() { }

    static JsonNode parseBody(String body) {
        if (body == null || body.isBlank()) throw ApiError.badRequest("request body is empty; expected a JSON object", null);
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null || !n.isObject()) throw ApiError.badRequest("request body must be a JSON object", null);
            return n;
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("request body is not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")", null);
        }
    }

    static Parsed chat(JsonNode body, Set<String> supported) {
        JsonNode msgs = body.get("messages");
        if (msgs == null || msgs.isNull()) throw ApiError.badRequest("missing required parameter: 'messages'", "messages");
        if (!msgs.isArray() || msgs.isEmpty()) throw ApiError.badRequest("'messages' must be a non-empty array", "messages");
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < msgs.size(); i++) {
            JsonNode m = msgs.get(i);
            String where = "messages[" + i + "]";
            if (!m.isObject()) throw ApiError.badRequest(where + " must be an object", where);
            String role = text(m, "role", where + ".role", true);
            if (!Set.of("system", "user", "assistant", "developer").contains(role)) {
                throw ApiError.badRequest(where + ".role must be one of system, user, assistant, got '" + role + "'", where + ".role");
            }
            messages.add(new ChatMessage(role.equals("developer") ? "system" : role, content(m.get("content"), where + ".content")));
        }
        return new Parsed(new CompletionRequest(messages, null, params(body, supported), 0),
                bool(body, "stream"), includeUsage(body), n(body));
    }

    static Parsed completion(JsonNode body, Set<String> supported) {
        JsonNode p = body.get("prompt");
        if (p == null || p.isNull()) throw ApiError.badRequest("missing required parameter: 'prompt'", "prompt");
        String prompt;
        if (p.isTextual()) prompt = p.asText();
        else if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) prompt = p.get(0).asText();
        else throw ApiError.badRequest("'prompt' must be a string (or an array of one string)", "prompt");
        return new Parsed(new CompletionRequest(null, prompt, params(body, supported), 0),
                bool(body, "stream"), includeUsage(body), n(body));
    }

    private static String content(JsonNode c, String where) {
        if (c == null || c.isNull()) throw ApiError.badRequest("missing " + where, where);
        if (c.isTextual()) return c.asText();
        if (c.isArray()) { // [{type: text, text: ...}, ...]
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : c) {
                if (!part.isObject() || !"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw ApiError.badRequest(where + ": only text content parts are supported", where);
                }
                sb.append(part.get("text").asText());
            }
            return sb.toString();
        }
        throw ApiError.badRequest(where + " must be a string or an array of text parts", where);
    }

    static DecodingParams params(JsonNode b, Set<String> supported) {
        DecodingParams.Builder p = DecodingParams.builder()
                .temperature(number(b, "temperature", 0, 2))
                .topP(number(b, "top_p", 0, 1))
                .minP(number(b, "min_p", 0, 1))
                .frequencyPenalty(number(b, "frequency_penalty", -2, 2))
                .presencePenalty(number(b, "presence_penalty", -2, 2))
                .topK(integer(b, "top_k", 0))
                .seed(b.hasNonNull("seed") ? longValue(b, "seed") : null)
                .stop(stop(b));
        Double rep = number(b, "repetition_penalty", 0, 10);
        p.repetitionPenalty(rep != null ? rep : number(b, "repeat_penalty", 0, 10));
        Integer max = integer(b, "max_completion_tokens", 1);
        p.maxTokens(max != null ? max : integer(b, "max_tokens", 1));
        DecodingParams params = p.build();
        for (String name : params.setParameterNames()) {
            if (!supported.contains(name)) {
                throw ApiError.badRequest("parameter '" + name + "' is not supported by this model", name);
            }
        }
        return params;
    }

    private static List<String> stop(JsonNode b) {
        JsonNode s = b.get("stop");
        if (s == null || s.isNull()) return List.of();
        if (s.isTextual()) return List.of(s.asText());
        if (s.isArray()) {
            List<String> out = new ArrayList<>();
            for (JsonNode e : s) {
                if (!e.isTextual()) throw ApiError.badRequest("'stop' must be a string or an array of strings", "stop");
                out.add(e.asText());
            }
            return out;
        }
        throw ApiError.badRequest("'stop' must be a string or an array of strings", "stop");
    }

    private static Double number(JsonNode b, String field, double min, double max) {
        JsonNode v = b.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isNumber()) throw ApiError.badRequest("'" + field + "' must be a number, got " + v, field);
        double d = v.asDouble();
        if (d < min || d > max) throw ApiError.badRequest("'" + field + "' must be between " + min + " and " + max + ", got " + d, field);
        return d;
    }

    private static Integer integer(JsonNode b, String field, int min) {
        JsonNode v = b.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw ApiError.badRequest("'" + field + "' must be an integer, got " + v, field);
        if (v.asInt() < min) throw ApiError.badRequest("'" + field + "' must be >= " + min + ", got " + v.asInt(), field);
        return v.asInt();
    }

    private static long longValue(JsonNode b, String field) {
        JsonNode v = b.get(field);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw ApiError.badRequest("'" + field + "' must be an integer, got " + v, field);
        return v.asLong();
    }

    private static boolean bool(JsonNode b, String field) {
        JsonNode v = b.get(field);
        if (v == null || v.isNull()) return false;
        if (!v.isBoolean()) throw ApiError.badRequest("'" + field + "' must be true or false, got " + v, field);
        return v.asBoolean();
    }

    private static boolean includeUsage(JsonNode b) {
        JsonNode o = b.get("stream_options");
        if (o == null || o.isNull()) return false;
        if (!o.isObject()) throw ApiError.badRequest("'stream_options' must be an object", "stream_options");
        return bool(o, "include_usage");
    }

    private static int n(JsonNode b) {
        Integer n = integer(b, "n", 1);
        if (n == null) return 1;
        if (n > MAX_N) throw ApiError.badRequest("'n' must be at most " + MAX_N + ", got " + n, "n");
        return n;
    }

    private static String text(JsonNode m, String field, String where, boolean required) {
        JsonNode v = m.get(field);
        if (v == null || v.isNull()) {
            if (required) throw ApiError.badRequest("missing " + where, where);
            return null;
        }
        if (!v.isTextual()) throw ApiError.badRequest(where + " must be a string, got " + v, where);
        return v.asText();
    }
}
