package io.promptune.providers.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import io.promptune.providers.ChatMessage;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.FakeModel;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class PromptuneChatModelTest {
    @Test
    void answersLikeAnyLangChain4jChatModel() {
        FakeModel fake = new FakeModel();
        ChatModel model = PromptuneChatModel.of(fake);
        assertEquals("echo: hi [seed=null sample=0]", model.chat("hi"));

        ChatResponse r = model.chat(ChatRequest.builder()
                .messages(SystemMessage.from("sys"), UserMessage.from("q1"), AiMessage.from("a1"), UserMessage.from("q2"))
                .parameters(PromptuneChatRequestParameters.builder().temperature(0.4).topK(5).maxOutputTokens(3)
                        .stopSequences("##").seed(11L).minP(0.02).repetitionPenalty(1.3).build())
                .build());
        assertEquals("echo: q2 [seed=11", r.aiMessage().text());
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(3, r.tokenUsage().outputTokenCount());
        CompletionRequest seen = fake.seen.getLast();
        assertEquals(List.of(ChatMessage.system("sys"), ChatMessage.user("q1"), ChatMessage.assistant("a1"), ChatMessage.user("q2")),
                seen.messages());
        assertEquals(0.4, seen.params().temperature());
        assertEquals(5, seen.params().topK());
        assertEquals(11L, seen.params().seed());
        assertEquals(0.02, seen.params().minP());
        assertEquals(1.3, seen.params().repetitionPenalty());
        assertEquals(List.of("##"), seen.params().stop());
    }

    @Test
    void defaultParametersApplyAndRequestParametersOverrideThem() {
        FakeModel fake = new FakeModel();
        ChatModel model = PromptuneChatModel.of(fake, PromptuneChatRequestParameters.builder().temperature(0.9).seed(5L).build());
        model.chat(ChatRequest.builder().messages(UserMessage.from("x"))
                .parameters(ChatRequestParameters.builder().temperature(0.1).build()).build());
        assertEquals(0.1, fake.seen.getLast().params().temperature());
        assertEquals(5L, fake.seen.getLast().params().seed());
    }

    @Test
    void refusesWhatTheModelCannotDoLikeLangChain4jProvidersDo() {
        FakeModel limited = new FakeModel("fake:limited", Set.of("temperature"));
        ChatModel model = PromptuneChatModel.of(limited);
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class, () -> model.chat(ChatRequest.builder()
                .messages(UserMessage.from("x")).parameters(ChatRequestParameters.builder().topK(3).build()).build()));
        assertTrue(e.getMessage().contains("top_k"), e.getMessage());
        assertEquals(0, limited.calls.get());
    }
}
