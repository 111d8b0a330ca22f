package io.promptune.providers.remote;

import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import io.promptune.providers.DecodingParams;
import io.promptune.providers.Secret;

import java.time.Duration;
import java.util.Set;

import static io.promptune.providers.DecodingParams.*;

/** Anthropic's Messages API: top_k yes; no penalties and no seed. max_tokens defaults to 1024. */
final class AnthropicDialect implements ProviderDialect {
    @Override
    public String name() {
        return "anthropic";
    }

    @Override
    public String defaultKeyVariable() {
        return "ANTHROPIC_API_KEY";
    }

    @Override
    public Set<String> supportedParameters() {
        return Set.of(TEMPERATURE, TOP_P, TOP_K, MAX_TOKENS, STOP);
    }

    @Override
    public boolean seedPerRequest() {
        return true; // there is none; nothing to build per seed
    }

    @Override
    public ChatModel build(ProviderSpec spec, Secret key, Integer seed, HttpClientBuilder http, Duration timeout) {
        AnthropicChatModel.AnthropicChatModelBuilder b = AnthropicChatModel.builder()
                .apiKey(key.reveal())
                .modelName(spec.model())
                .httpClientBuilder(http)
                .timeout(timeout)
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
                .topK(p.topK())
                .maxOutputTokens(p.maxTokens())
                .stopSequences(ProviderDialect.nullIfEmpty(p.stop()))
                .build();
    }
}
