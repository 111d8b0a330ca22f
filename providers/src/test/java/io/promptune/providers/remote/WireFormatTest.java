package io.promptune.providers.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptune.providers.ChatMessage;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.DecodingParams;
import io.promptune.providers.ModelCallException;
import io.promptune.providers.pricing.PriceTable;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What each provider's request body really carries for our decoding parameters: a loopback server
 * records the body and answers 400 (we only look at what was sent).
 */
class WireFormatTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<JsonNode> bodies = new CopyOnWriteArrayList<>();
    static Server server;
    static String base;
    static final Map<String, String> ENV = Map.of("OPENAI_API_KEY", "k", "ANTHROPIC_API_KEY", "k", "GEMINI_API_KEY", "k",
            "MISTRAL_API_KEY", "k");

    @BeforeAll
    static void start() throws Exception {
        server = new Server();
        ServerConnector c = new ServerConnector(server);
        c.setHost("127.0.0.1");
        c.setPort(0);
        server.addConnector(c);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String body = Content.Source.asString(request, StandardCharsets.UTF_8);
                bodies.add(JSON.readTree(body));
                response.setStatus(400);
                response.write(true, java.nio.ByteBuffer.wrap("{}".getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        server.start();
        base = "http://127.0.0.1:" + c.getLocalPort();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
    }

    static JsonNode send(String provider, DecodingParams p) {
        bodies.clear();
        RemoteChatModel m = RemoteModels.of(ENV, PriceTable.builtIn())
                .create(new ProviderSpec(provider, "m1", base, null, null, null));
        ModelCallException e = assertThrows(ModelCallException.class, () -> m.complete(CompletionRequest.chat(
                List.of(ChatMessage.system("s"), ChatMessage.user("u")), p)));
        assertEquals(400, e.statusCode());
        assertFalse(e.retryable());
        assertEquals(1, bodies.size());
        return bodies.getFirst();
    }

    static DecodingParams all(String provider) {
        DecodingParams.Builder b = DecodingParams.builder();
        var supported = RemoteModels.supportedParameters(provider);
        if (supported.contains("temperature")) b.temperature(0.25);
        if (supported.contains("top_p")) b.topP(0.75);
        if (supported.contains("top_k")) b.topK(17);
        if (supported.contains("min_p")) b.minP(0.03);
        if (supported.contains("repetition_penalty")) b.repetitionPenalty(1.15);
        if (supported.contains("frequency_penalty")) b.frequencyPenalty(0.5);
        if (supported.contains("presence_penalty")) b.presencePenalty(0.6);
        if (supported.contains("max_tokens")) b.maxTokens(33);
        if (supported.contains("stop")) b.stop(List.of("STOP"));
        if (supported.contains("seed")) b.seed(4242L);
        return b.build();
    }

    @Test
    void openAi() {
        JsonNode b = send("openai", all("openai"));
        assertEquals(0.25, b.get("temperature").asDouble());
        assertEquals(0.75, b.get("top_p").asDouble());
        assertEquals(0.5, b.get("frequency_penalty").asDouble());
        assertEquals(0.6, b.get("presence_penalty").asDouble());
        assertEquals(33, b.get("max_tokens").asInt());
        assertEquals("STOP", b.get("stop").get(0).asText());
        assertEquals(4242, b.get("seed").asInt());
        assertNull(b.get("top_k"));
    }

    @Test
    void openAiCompatibleSendsTheSamplerExtras() {
        JsonNode b = send("openai-compatible", all("openai-compatible"));
        assertEquals(17, b.get("top_k").asInt());
        assertEquals(0.03, b.get("min_p").asDouble());
        assertEquals(1.15, b.get("repetition_penalty").asDouble());
        assertEquals(4242, b.get("seed").asInt());
    }

    @Test
    void anthropic() {
        JsonNode b = send("anthropic", all("anthropic"));
        assertEquals(17, b.get("top_k").asInt());
        assertEquals(33, b.get("max_tokens").asInt());
        assertEquals("STOP", b.get("stop_sequences").get(0).asText());
        assertEquals("s", b.get("system").get(0).get("text").asText());
    }

    @Test
    void gemini() {
        JsonNode g = send("gemini", all("gemini")).get("generationConfig");
        assertEquals(17, g.get("topK").asInt());
        assertEquals(4242, g.get("seed").asInt(), "the seed reaches Gemini although LangChain4j takes it per model");
        assertEquals(33, g.get("maxOutputTokens").asInt());
        assertEquals(0.5, g.get("frequencyPenalty").asDouble());
        JsonNode again = send("gemini", all("gemini").toBuilder().seed(7L).build()).get("generationConfig");
        assertEquals(7, again.get("seed").asInt());
    }

    @Test
    void ollama() {
        JsonNode o = send("ollama", all("ollama")).get("options");
        assertEquals(17, o.get("top_k").asInt());
        assertEquals(0.03, o.get("min_p").asDouble());
        assertEquals(1.15, o.get("repeat_penalty").asDouble());
        assertEquals(4242, o.get("seed").asInt());
        assertEquals(33, o.get("num_predict").asInt());
    }

    @Test
    void mistral() {
        JsonNode b = send("mistral", all("mistral"));
        assertEquals(4242, b.get("random_seed").asInt());
        assertEquals(33, b.get("max_tokens").asInt());
        assertNull(b.get("top_k"));
        JsonNode other = send("mistral", all("mistral").toBuilder().seed(8L).build());
        assertEquals(8, other.get("random_seed").asInt());
    }
}
