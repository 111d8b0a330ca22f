package io.promptune.providers.remote;

import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.ollama.OllamaChatRequestParameters;
import io.promptune.providers.DecodingParams;
import io.promptune.providers.Secret;

import java.time.Duration;
import java.util.Set;

import static io.promptune.providers.DecodingParams.*;

/**
 * An Ollama server (local by default, no key). It samples like llama.cpp: top_k, min_p and repeat
 * penalty are there; LangChain4j refuses frequency and presence penalties for it.
 */
final class OllamaDialect implements ProviderDialect {
    static final String DEFAULT_URL = "http://localhost:11434";

    @Override
    public String name() {
        return "ollama";
    }

    @Override
    public String defaultKeyVariable() {
        return null;
    }

    @Override
    public Set<String> supportedParameters() {
        return Set.of(TEMPERATURE, TOP_P, TOP_K, MIN_P, REPETITION_PENALTY, MAX_TOKENS, STOP, SEED);
    }

    @Override
    public boolean seedPerRequest() {
        return true;
    }

    @Override
    public ChatModel build(ProviderSpec spec, Secret key, Integer seed, HttpClientBuilder http, Duration timeout) {
        OllamaChatModel.OllamaChatModelBuilder b = OllamaChatModel.builder();
        b.baseUrl(spec.baseUrl() != null ? spec.baseUrl() : DEFAULT_URL)
                .modelName(spec.model())
                .httpClientBuilder(http)
                .timeout(timeout)
                .logRequests(false)
                .logResponses(false);
        if (key != null) b.customHeaders(java.util.Map.of("Authorization", "Bearer " + key.reveal()));
        b.maxRetries(0);
        return b.build();
    }

    @Override
    public ChatRequestParameters parameters(ProviderSpec spec, DecodingParams p) {
        return OllamaChatRequestParameters.builder()
                .modelName(spec.model())
                .temperature(p.temperature())
                .topP(p.topP())
                .topK(p.topK())
                .minP(p.minP())
                .repeatPenalty(p.repetitionPenalty())
                .seed(ProviderDialect.intSeed(p.seed()))
                .maxOutputTokens(p.maxTokens())
                .stopSequences(ProviderDialect.nullIfEmpty(p.stop()))
                .build();
    }
}
