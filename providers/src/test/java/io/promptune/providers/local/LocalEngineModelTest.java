package io.promptune.providers.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import io.promptune.providers.ChatMessage;
import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.DecodingParams;
import io.promptune.providers.FinishReason;
import io.promptune.providers.langchain4j.PromptuneChatModel;
import io.promptune.providers.langchain4j.PromptuneChatRequestParameters;
import io.promptune.providers.server.OpenAiCompatibleServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The adapter over the real engine, on stories260K (gibberish text, real weights). */
class LocalEngineModelTest {
    static LocalEngineModel model;
    static Path dir;
    static final DecodingParams GREEDY_20 = DecodingParams.builder().temperature(0.0).maxTokens(20).build();

    @BeforeAll
    static void load() {
        var f32 = TestModels.shared("models/stories260K/stories260K-f32.gguf");
        assumeTrue(f32.isPresent(), "stories260K not found next to the repository");
        dir = f32.get().getParent();
        model = LocalEngineModel.load(f32.get());
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    @Test
    void greedyRawCompletionMatchesLlamaCppsReference() throws Exception {
        JsonNode ref = null;
        for (JsonNode r : new ObjectMapper().readTree(dir.resolve("greedy-reference.json").toFile())) {
            if (r.get("model").asText().equals("stories260K-f32.gguf")) { ref = r; break; }
        }
        assertNotNull(ref);
        int n = 24;
        Completion c = model.complete(CompletionRequest.raw(ref.get("prompt").asText(),
                DecodingParams.builder().temperature(0.0).maxTokens(n).build()));
        assertFalse(c.isError(), c.error());
        assertEquals(ref.get("prompt_ids").size(), c.usage().inputTokens());
        assertEquals(n, c.usage().outputTokens());
        assertEquals(FinishReason.LENGTH, c.finishReason());
        assertTrue(ref.get("text").asText().startsWith(c.text()),
                "llama.cpp: " + ref.get("text").asText() + "\nours:      " + c.text());
        assertEquals(0.0, c.costUsd());
        assertEquals("local:stories260K-f32", model.id());
    }

    @Test
    void aBatchGivesWhatSingleRequestsGive() {
        List<CompletionRequest> reqs = List.of(
                CompletionRequest.raw("Once upon a time", GREEDY_20),
                CompletionRequest.raw("Once upon a time there was", GREEDY_20),
                CompletionRequest.chat(List.of(ChatMessage.user("Tell me a story")), GREEDY_20),
                CompletionRequest.raw("The cat", DecodingParams.builder().temperature(0.9).seed(7L).maxTokens(12).build()));
        long batchesBefore = model.counters().get("local_batches");
        List<Completion> batch = model.completeBatch(reqs);
        assertEquals(batchesBefore + 1, model.counters().get("local_batches"), "one engine batch");
        for (int i = 0; i < reqs.size(); i++) {
            Completion single = model.complete(reqs.get(i));
            assertFalse(batch.get(i).isError(), batch.get(i).error());
            assertEquals(single.text(), batch.get(i).text(), "request " + i);
            assertEquals(single.usage(), batch.get(i).usage(), "request " + i);
        }
    }

    /** More requests than slots: finished requests' slots are refilled within one engine call, same outputs. */
    @Test
    void aWindowWiderThanTheBatchRefillsSlotsAndGivesWhatSingleRequestsGive() {
        List<CompletionRequest> reqs = new java.util.ArrayList<>();
        String[] starts = {"Once upon a time", "The cat", "One day", "Lily and Ben", "There was a dog", "The sun"};
        for (int i = 0; i < starts.length; i++) {
            reqs.add(CompletionRequest.raw(starts[i], DecodingParams.builder().temperature(0.0).maxTokens(3 + 5 * (i % 3)).build()));
        }
        long batchesBefore = model.counters().get("local_batches");
        List<Completion> batch = model.completeBatch(reqs, 2);
        assertEquals(batchesBefore + 1, model.counters().get("local_batches"), "one engine call");
        for (int i = 0; i < reqs.size(); i++) {
            model.engine().prefixCache().clear();
            Completion single = model.complete(reqs.get(i));
            assertFalse(batch.get(i).isError(), batch.get(i).error());
            assertEquals(single.text(), batch.get(i).text(), "request " + i);
            assertEquals(single.usage(), batch.get(i).usage(), "request " + i);
        }
    }

    /**
     * A trial's requests share the rendered system prompt and few-shot turns: every request after the
     * first must reuse the longest token prefix it shares with an earlier one (not recompute it), and
     * promptTokens must be exactly what the engine processed.
     */
    @Test
    void requestsSharingAFewShotPrefixReuseItsKeysAndValues() {
        // stories260K has a 128-token context and no ChatML special tokens: keep the turns short
        List<ChatMessage> shots = List.of(ChatMessage.user("Once"), ChatMessage.assistant("a cat."));
        List<CompletionRequest> reqs = new java.util.ArrayList<>();
        for (String q : List.of("Dog", "Tree", "Sun")) {
            List<ChatMessage> msgs = new java.util.ArrayList<>(shots);
            msgs.add(ChatMessage.user(q));
            reqs.add(CompletionRequest.chat(msgs, DecodingParams.builder().temperature(0.0).maxTokens(4).build()));
        }
        List<int[]> tokens = reqs.stream().map(model::promptTokens).toList();
        long expected = 0;
        for (int i = 1; i < tokens.size(); i++) {
            int best = 0;
            for (int j = 0; j < i; j++) best = Math.max(best, commonPrefix(tokens.get(i), tokens.get(j)));
            expected += Math.min(best, tokens.get(i).length - 1);
        }
        assertTrue(expected >= 2L * 20, "the shots should render to a shared prefix of 20+ tokens, got " + expected / 2);
        assertTrue(tokens.stream().allMatch(t -> t.length < 120), "prompts must fit stories260K's context");
        model.engine().prefixCache().clear();
        long before = model.counters().get("local_prompt_tokens_reused");
        List<Completion> out = model.completeBatch(reqs);
        for (Completion c : out) assertFalse(c.isError(), c.error());
        assertEquals(expected, model.counters().get("local_prompt_tokens_reused") - before);
        for (int i = 0; i < reqs.size(); i++) {
            assertEquals(tokens.get(i).length, out.get(i).usage().inputTokens(), "request " + i);
            assertTrue(model.promptText(reqs.get(i)).endsWith(List.of("Dog", "Tree", "Sun").get(i) + "<|im_end|>\n<|im_start|>assistant\n"));
        }
    }

    private static int commonPrefix(int[] a, int[] b) {
        int n = 0;
        while (n < a.length && n < b.length && a[n] == b[n]) n++;
        return n;
    }

    @Test
    void seedsReproduceAndStopSequencesCut() {
        DecodingParams hot = DecodingParams.builder().temperature(1.0).topK(0).topP(1.0).minP(0.0).seed(123L).maxTokens(16).build();
        Completion a = model.complete(CompletionRequest.raw("Once", hot));
        Completion b = model.complete(CompletionRequest.raw("Once", hot));
        assertEquals(a.text(), b.text());
        Completion greedy = model.complete(CompletionRequest.raw("Once upon a time", GREEDY_20));
        String text = greedy.text();
        String stop = text.substring(text.length() / 2, text.length() / 2 + 3);
        Completion cut = model.complete(CompletionRequest.raw("Once upon a time", GREEDY_20.toBuilder().stop(List.of(stop)).build()));
        assertEquals(FinishReason.STOP, cut.finishReason());
        assertEquals(text.substring(0, text.indexOf(stop)), cut.text());
    }

    @Test
    void streamingDeliversTheSameText() {
        StringBuilder streamed = new StringBuilder();
        Completion c = model.completeStreaming(CompletionRequest.raw("Once upon a time", GREEDY_20), streamed::append);
        assertEquals(c.text(), streamed.toString());
        assertFalse(c.text().isEmpty());
    }

    @Test
    void droppedInAsALangChain4jChatModel() {
        ChatModel lc = PromptuneChatModel.of(model);
        ChatResponse r = lc.chat(ChatRequest.builder().messages(UserMessage.from("Once upon a time"))
                .parameters(PromptuneChatRequestParameters.builder().temperature(0.0).maxOutputTokens(8).build()).build());
        assertEquals(8, r.tokenUsage().outputTokenCount());
        Completion direct = model.complete(CompletionRequest.chat(List.of(ChatMessage.user("Once upon a time")),
                DecodingParams.builder().temperature(0.0).maxTokens(8).build()));
        assertEquals(direct.text(), r.aiMessage().text());
    }

    @Test
    void servedOverHttpToLangChain4jsOpenAiClient() {
        try (OpenAiCompatibleServer server = OpenAiCompatibleServer.start(model, "stories260K", "127.0.0.1", 0)) {
            ChatModel client = OpenAiChatModel.builder().baseUrl(server.baseUrl().toString()).apiKey("none")
                    .modelName("stories260K").temperature(0.0).maxTokens(10).maxRetries(0).build();
            String viaHttp = client.chat("Tell me a story");
            Completion direct = model.complete(CompletionRequest.chat(List.of(ChatMessage.user("Tell me a story")),
                    DecodingParams.builder().temperature(0.0).maxTokens(10).build()));
            assertEquals(direct.text(), viaHttp);
        }
    }
}
