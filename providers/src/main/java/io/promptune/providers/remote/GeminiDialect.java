package io.promptune.providers.remote;

import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.googleai.GoogleAiGeminiChatModel;
import io.promptune.providers.DecodingParams;
import io.promptune.providers.Secret;

import java.time.Duration;
import java.util.Set;

import static io.promptune.providers.DecodingParams.*;

/** Google's Gemini API. LangChain4j takes Gemini's seed only when building the model. */
final class GeminiDialect implements ProviderDialect {
    @Override
    public String name() {
        return "gemini";
    }

    @Override
    public String defaultKeyVariable() {
        return "GEMINI_API_KEY";
    }

    @Override
    public Set<String> supportedParameters() {
        return Set.of(TEMPERATURE, TOP_P, TOP_K, FREQUENCY_PENALTY, PRESENCE_PENALTY, MAX_TOKENS, STOP, SEED);
    }

    @Override
    public boolean seedPerRequest() {
        return false;
    }

    @Override
    public ChatModel build(ProviderSpec spec, Secret key, Integer seed, HttpClientBuilder http, Duration timeout) {
        GoogleAiGeminiChatModel.GoogleAiGeminiChatModelBuilder b = GoogleAiGeminiChatModel.builder()
                .apiKey(key.reveal())
                .modelName(spec.model())
                .httpClientBuilder(http)
                .timeout(timeout)
                .seed(seed)
                .logRequests(false)
                .logResponses(false);
        b.maxRetries(0);
        if (spec.baseUrl() != null) b.baseUrl(spec.baseUrl());
        return b.build();
    }

    @Override
    public ChatRequestParameters parameters(ProviderSpec spec, DecodingParams p) {
        return ChatRequestParameters.builder()
                .modelName(spec.model())
                .temperature(p.temperature())
                .topP(p.topP())
                .topK(p.topK())
                .frequencyPenalty(p.frequencyPenalty())
                .presencePenalty(p.presencePenalty())
                .maxOutputTokens(p.maxTokens())
                .stopSequences(ProviderDialect.nullIfEmpty(p.stop()))
                .build();
    }
}
