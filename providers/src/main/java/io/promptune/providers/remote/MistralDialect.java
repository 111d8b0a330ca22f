package io.promptune.providers.remote;

import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.mistralai.MistralAiChatModel;
import io.promptune.providers.DecodingParams;
import io.promptune.providers.Secret;

import java.time.Duration;
import java.util.Set;

import static io.promptune.providers.DecodingParams.*;

/** Mistral's API: no top_k (LangChain4j refuses it); the seed ("random_seed") is set per model. */
final class MistralDialect implements ProviderDialect {
    @Override
    public String name() {
        return "mistral";
    }

    @Override
    public String defaultKeyVariable() {
        return "MISTRAL_API_KEY";
    }

    @Override
    public Set<String> supportedParameters() {
        return Set.of(TEMPERATURE, TOP_P, FREQUENCY_PENALTY, PRESENCE_PENALTY, MAX_TOKENS, STOP, SEED);
    }

    @Override
    public boolean seedPerRequest() {
        return false;
    }

    @Override
    public ChatModel build(ProviderSpec spec, Secret key, Integer seed, HttpClientBuilder http, Duration timeout) {
        MistralAiChatModel.MistralAiChatModelBuilder b = MistralAiChatModel.builder()
                .apiKey(key.reveal())
                .modelName(spec.model())
                .httpClientBuilder(http)
                .timeout(timeout)
                .randomSeed(seed)
                .maxRetries(0)
                .logRequests(false)
                .logResponses(false);
        if (spec.baseUrl() != null) b.baseUrl(spec.baseUrl());
        return b.build();
    }

    @Override
    public ChatRequestParameters parameters(ProviderSpec spec, DecodingParams p) {
        return ChatRequestParameters.builder()
                .modelName(spec.model())
                .temperature(p.temperature())
                .topP(p.topP())
                .frequencyPenalty(p.frequencyPenalty())
                .presencePenalty(p.presencePenalty())
                .maxOutputTokens(p.maxTokens())
                .stopSequences(ProviderDialect.nullIfEmpty(p.stop()))
                .build();
    }
}
