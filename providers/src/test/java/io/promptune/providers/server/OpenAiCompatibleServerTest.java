package io.promptune.providers.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.FakeModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class OpenAiCompatibleServerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static FakeModel model;
    static OpenAiCompatibleServer server;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        model = new FakeModel();
        server = OpenAiCompatibleServer.start(model, "fake-echo", "127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void bindsToLoopbackByDefault() {
        assertEquals("127.0.0.1", server.baseUrl().getHost());
        assertTrue(server.port() > 0);
    }

    @Test
    void listsTheModel() throws Exception {
        HttpResponse<String> r = get("/models");
        assertEquals(200, r.statusCode());
        JsonNode n = JSON.readTree(r.body());
        assertEquals("list", n.get("object").asText());
        assertEquals("fake-echo", n.get("data").get(0).get("id").asText());
    }

    @Test
    void chatCompletionHasOpenAisShapeAndPassesEveryParameter() throws Exception {
        HttpResponse<String> r = post("/chat/completions", """
                {"model": "anything", "messages": [{"role": "system", "content": "be brief"},
                 {"role": "user", "content": "hello there"}],
                 "temperature": 0.3, "top_p": 0.9, "top_k": 20, "min_p": 0.05, "repetition_penalty": 1.1,
                 "max_tokens": 50, "stop": "###", "seed": 7}""");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/json"));
        JsonNode n = JSON.readTree(r.body());
        assertEquals("chat.completion", n.get("object").asText());
        assertEquals("fake-echo", n.get("model").asText());
        JsonNode choice = n.get("choices").get(0);
        assertEquals("assistant", choice.get("message").get("role").asText());
        assertEquals("echo: hello there [seed=7 sample=0]", choice.get("message").get("content").asText());
        assertEquals("stop", choice.get("finish_reason").asText());
        assertEquals(n.get("usage").get("prompt_tokens").asInt() + n.get("usage").get("completion_tokens").asInt(),
                n.get("usage").get("total_tokens").asInt());
        CompletionRequest seen = model.seen.getLast();
        assertEquals(0.3, seen.params().temperature());
        assertEquals(0.9, seen.params().topP());
        assertEquals(20, seen.params().topK());
        assertEquals(0.05, seen.params().minP());
        assertEquals(1.1, seen.params().repetitionPenalty());
        assertEquals(50, seen.params().maxTokens());
        assertEquals(List.of("###"), seen.params().stop());
        assertEquals(7L, seen.params().seed());
        assertEquals("system", seen.messages().getFirst().role());
    }

    @Test
    void textCompletionAndLengthFinishAndN() throws Exception {
        HttpResponse<String> r = post("/completions", "{\"prompt\": \"once upon a time\", \"max_tokens\": 2, \"n\": 3}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode n = JSON.readTree(r.body());
        assertEquals("text_completion", n.get("object").asText());
        assertEquals(3, n.get("choices").size());
        assertEquals("echo: once", n.get("choices").get(0).get("text").asText());
        assertEquals("length", n.get("choices").get(0).get("finish_reason").asText());
        assertEquals(2, n.get("choices").get(2).get("index").asInt());
    }

    @Test
    void streamsChatAsServerSentEvents() throws Exception {
        HttpResponse<String> r = post("/chat/completions",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"a b c\"}], \"stream\": true, \"stream_options\": {\"include_usage\": true}}");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        List<JsonNode> events = new ArrayList<>();
        boolean done = false;
        for (String block : r.body().split("\n\n")) {
            assertTrue(block.startsWith("data: "), block);
            String data = block.substring(6);
            if (data.equals("[DONE]")) { done = true; continue; }
            assertFalse(done, "nothing after [DONE]");
            events.add(JSON.readTree(data));
        }
        assertTrue(done);
        assertEquals("assistant", events.getFirst().get("choices").get(0).get("delta").get("role").asText());
        StringBuilder text = new StringBuilder();
        for (JsonNode e : events) {
            assertEquals("chat.completion.chunk", e.get("object").asText());
            if (e.get("choices").isEmpty()) continue;
            JsonNode c = e.get("choices").get(0).get("delta").get("content");
            if (c != null) text.append(c.asText());
        }
        assertEquals("echo: a b c [seed=null sample=0]", text.toString());
        assertTrue(events.size() >= 1 + 6 + 1 + 1, "one chunk per word: " + events.size());
        JsonNode finish = events.get(events.size() - 2);
        assertEquals("stop", finish.get("choices").get(0).get("finish_reason").asText());
        assertTrue(events.getLast().get("usage").get("completion_tokens").asInt() > 0);
    }

    @Test
    void streamsTextCompletions() throws Exception {
        HttpResponse<String> r = post("/completions", "{\"prompt\": \"x y\", \"stream\": true}");
        assertEquals(200, r.statusCode());
        StringBuilder text = new StringBuilder();
        for (String block : r.body().split("\n\n")) {
            String data = block.substring(6);
            if (data.equals("[DONE]")) break;
            text.append(JSON.readTree(data).get("choices").get(0).get("text").asText());
        }
        assertEquals("echo: x y [seed=null sample=0]", text.toString());
    }

    @Test
    void badRequestsGetA4xxInOpenAisErrorShapeNamingTheField() throws Exception {
        assertError(post("/chat/completions", "{not json"), 400, null, "not valid JSON");
        assertError(post("/chat/completions", ""), 400, null, "empty");
        assertError(post("/chat/completions", "[1,2]"), 400, null, "JSON object");
        assertError(post("/chat/completions", "{\"model\": \"m\"}"), 400, "messages", "missing required parameter");
        assertError(post("/chat/completions", "{\"messages\": \"hi\"}"), 400, "messages", "non-empty array");
        assertError(post("/chat/completions", "{\"messages\": [{\"role\": \"user\"}]}"), 400, "messages[0].content", "missing");
        assertError(post("/chat/completions", "{\"messages\": [{\"role\": \"wizard\", \"content\": \"x\"}]}"), 400, "messages[0].role", "wizard");
        assertError(post("/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"temperature\": \"hot\"}"),
                400, "temperature", "must be a number");
        assertError(post("/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"max_tokens\": 1.5}"),
                400, "max_tokens", "integer");
        assertError(post("/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"temperature\": 9}"),
                400, "temperature", "between");
        assertError(post("/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"stop\": [1]}"),
                400, "stop", "strings");
        assertError(post("/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"stream\": \"yes\"}"),
                400, "stream", "true or false");
        assertError(post("/completions", "{\"prompt\": 5}"), 400, "prompt", "string");
        assertError(get("/chat/completions"), 405, null, "POST");
        assertError(get("/nowhere"), 404, null, "unknown path");
    }

    @Test
    void unsupportedParameterIsRefusedNotIgnored() throws Exception {
        FakeModel limited = new FakeModel("fake:limited", java.util.Set.of("temperature"));
        try (OpenAiCompatibleServer s = OpenAiCompatibleServer.start(limited, "limited", "127.0.0.1", 0)) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.baseUrl() + "/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"top_k\": 3}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertError(r, 400, "top_k", "not supported");
            assertEquals(0, limited.calls.get());
        }
    }

    static void assertError(HttpResponse<String> r, int status, String param, String messagePart) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode e = JSON.readTree(r.body()).get("error");
        assertNotNull(e, r.body());
        assertTrue(e.get("message").asText().contains(messagePart), e.get("message").asText());
        assertTrue(e.get("type").asText().endsWith("_error"), r.body());
        if (param == null) assertTrue(e.get("param").isNull(), r.body());
        else assertEquals(param, e.get("param").asText());
    }
}
