package io.promptune.providers.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.FinishReason;
import io.promptune.providers.LanguageModel;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

/**
 * The OpenAI-compatible API over one {@link LanguageModel}: /v1/chat/completions and
 * /v1/completions (both with stream=true as server-sent events), /v1/models. Errors use OpenAI's
 * JSON shape. Handling blocks (the model call does), so the server runs it on virtual threads.
 */
final class OpenAiHandler extends Handler.Abstract {
    static final int MAX_BODY_BYTES = 8 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final LanguageModel model;
    private final String modelName;
    private final long createdAt = System.currentTimeMillis() / 1000;

    OpenAiHandler(LanguageModel model, String modelName) {
        this.model = model;
        this.modelName = modelName;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        try {
            route(request, response, callback);
        } catch (ApiError e) {
            sendError(response, callback, e);
        } catch (RuntimeException e) {
            sendError(response, callback, ApiError.server("internal error: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage())));
        }
        return true;
    }

    private void route(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        if (path.endsWith("/") && path.length() > 1) path = path.substring(0, path.length() - 1);
        String method = request.getMethod();
        switch (path) {
            case "/v1/models" -> {
                requireMethod(method, "GET", path);
                sendJson(response, callback, 200, models());
            }
            case "/v1/chat/completions" -> {
                requireMethod(method, "POST", path);
                var parsed = OpenAiRequestParser.chat(OpenAiRequestParser.parseBody(readBody(request)), model.supportedParameters());
                respond(response, callback, parsed, true);
            }
            case "/v1/completions" -> {
                requireMethod(method, "POST", path);
                var parsed = OpenAiRequestParser.completion(OpenAiRequestParser.parseBody(readBody(request)), model.supportedParameters());
                respond(response, callback, parsed, false);
            }
            default -> throw ApiError.notFound("unknown path " + method + " " + path
                    + "; this server offers /v1/chat/completions, /v1/completions and /v1/models");
        }
    }

    private static void requireMethod(String method, String expected, String path) {
        if (!expected.equals(method)) throw ApiError.methodNotAllowed(path + " takes " + expected + ", not " + method);
    }

    private void respond(Response response, Callback callback, OpenAiRequestParser.Parsed p, boolean chat) {
        String id = (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
        if (p.stream()) {
            if (p.n() != 1) throw ApiError.badRequest("stream=true supports only n=1", "n");
            stream(response, callback, p, chat, id);
            return;
        }
        List<CompletionRequest> batch = new ArrayList<>();
        for (int i = 0; i < p.n(); i++) batch.add(p.request().withSampleIndex(i));
        List<Completion> results = p.n() == 1 ? List.of(model.complete(batch.getFirst())) : model.completeBatch(batch);
        for (Completion c : results) {
            if (c.isError()) throw ApiError.server("the model failed: " + c.error());
        }
        ObjectNode body = envelope(id, chat ? "chat.completion" : "text_completion");
        ArrayNode choices = body.putArray("choices");
        long in = 0, out = 0;
        for (int i = 0; i < results.size(); i++) {
            Completion c = results.get(i);
            ObjectNode choice = choices.addObject().put("index", i);
            if (chat) choice.putObject("message").put("role", "assistant").put("content", c.text());
            else choice.put("text", c.text()).putNull("logprobs");
            choice.put("finish_reason", finishReason(c.finishReason()));
            in = Math.max(in, c.usage().inputTokens());
            out += c.usage().outputTokens();
        }
        usage(body, in, out);
        sendJson(response, callback, 200, body);
    }

    private void stream(Response response, Callback callback, OpenAiRequestParser.Parsed p, boolean chat, String id) {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        try {
            if (chat) {
                ObjectNode first = chunk(id, true);
                ((ObjectNode) first.withArray("choices").get(0).get("delta")).put("role", "assistant").put("content", "");
                event(response, first);
            }
            Completion c = model.completeStreaming(p.request(), piece -> {
                ObjectNode ch = chat ? chunk(id, true) : chunk(id, false);
                if (chat) ((ObjectNode) ch.withArray("choices").get(0).get("delta")).put("content", piece);
                else ((ObjectNode) ch.withArray("choices").get(0)).put("text", piece);
                event(response, ch);
            });
            if (c.isError()) {
                ObjectNode err = JSON.createObjectNode();
                err.putObject("error").put("message", "the model failed: " + c.error()).put("type", "server_error")
                        .putNull("param").putNull("code");
                event(response, err);
            } else {
                ObjectNode last = chunk(id, chat);
                ((ObjectNode) last.withArray("choices").get(0)).put("finish_reason", finishReason(c.finishReason()));
                if (!chat) ((ObjectNode) last.withArray("choices").get(0)).put("text", "");
                event(response, last);
                if (p.includeUsage()) {
                    ObjectNode u = envelope(id, chat ? "chat.completion.chunk" : "text_completion");
                    u.putArray("choices");
                    usage(u, c.usage().inputTokens(), c.usage().outputTokens());
                    event(response, u);
                }
            }
            write(response, "data: [DONE]\n\n", true);
            callback.succeeded();
        } catch (StreamBroken e) {
            callback.failed(e.getCause()); // the client went away; nothing left to tell it
        }
    }

    private ObjectNode chunk(String id, boolean chat) {
        ObjectNode n = envelope(id, chat ? "chat.completion.chunk" : "text_completion");
        ObjectNode choice = n.putArray("choices").addObject().put("index", 0);
        if (chat) choice.putObject("delta");
        else choice.putNull("logprobs");
        choice.putNull("finish_reason");
        return n;
    }

    private ObjectNode envelope(String id, String object) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", id).put("object", object).put("created", System.currentTimeMillis() / 1000).put("model", modelName);
        return n;
    }

    private static void usage(ObjectNode body, long in, long out) {
        body.putObject("usage").put("prompt_tokens", in).put("completion_tokens", out).put("total_tokens", in + out);
    }

    private ObjectNode models() {
        ObjectNode n = JSON.createObjectNode().put("object", "list");
        n.putArray("data").addObject().put("id", modelName).put("object", "model").put("created", createdAt)
                .put("owned_by", "promptune");
        return n;
    }

    static String finishReason(FinishReason r) {
        return r == FinishReason.LENGTH ? "length" : "stop";
    }

    private static String readBody(Request request) {
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw new ApiError(413, "invalid_request_error", "request body larger than " + MAX_BODY_BYTES + " bytes", null, null);
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw ApiError.badRequest("could not read the request body: " + e.getMessage(), null);
        }
    }

    private static void event(Response response, JsonNode node) {
        write(response, "data: " + node + "\n\n", false);
    }

    /** Writes and waits, so events leave in order and a gone client is noticed at once. */
    private static void write(Response response, String text, boolean last) {
        Callback.Completable done = new Callback.Completable();
        response.write(last, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), done);
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamBroken(e);
        } catch (ExecutionException e) {
            throw new StreamBroken(e.getCause());
        }
    }

    private static void sendJson(Response response, Callback callback, int status, JsonNode body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body.toString().getBytes(StandardCharsets.UTF_8)), callback);
    }

    private static void sendError(Response response, Callback callback, ApiError e) {
        if (response.isCommitted()) {
            callback.failed(e);
            return;
        }
        ObjectNode body = JSON.createObjectNode();
        ObjectNode err = body.putObject("error").put("message", e.getMessage()).put("type", e.type);
        if (e.param == null) err.putNull("param"); else err.put("param", e.param);
        if (e.code == null) err.putNull("code"); else err.put("code", e.code);
        sendJson(response, callback, e.status, body);
    }

    /** The client closed the connection while we were streaming. */
    private static final class StreamBroken extends RuntimeException {
        StreamBroken(Throwable cause) {
            super(cause);
        }
    }
}
