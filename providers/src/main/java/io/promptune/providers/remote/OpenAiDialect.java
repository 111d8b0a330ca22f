package io.promptune.providers.remote;

import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import io.promptune.providers.DecodingParams;
import io.promptune.providers.Secret;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static io.promptune.providers.DecodingParams.*;

/**
 * OpenAI's Chat Completions API, and any server that speaks it ("openai-compatible": vLLM,
 * llama.cpp's server, our own {@code promptune serve}). OpenAI has no top_k, min_p or repetition
 * penalty; compatible servers usually do, and get them as extra request fields.
 */
final class OpenAiDialect implements ProviderDialect {
    static final String OPENAI_URL = "https://api.openai.com/v1";
    private final boolean compatible;

    OpenAiDialect(boolean compatible) {
        this.compatible = compatible;
    }

    @Override
    public String name() {
        return compatible ? "openai-compatible" : "openai";
    }

    @Override
    public String defaultKeyVariable() {
        return compatible ? null : "OPENAI_API_KEY";
    }

    @Override
    public Set<String> supportedParameters() {
        return compatible
                ? Set.of(TEMPERATURE, TOP_P, TOP_K, MIN_P, REPETITION_PENALTY, FREQUENCY_PENALTY, PRESENCE_PENALTY, MAX_TOKENS, STOP, SEED)
                : Set.of(TEMPERATURE, TOP_P, FREQUENCY_PENALTY, PRESENCE_PENALTY, MAX_TOKENS, STOP, SEED);
    }

    @Override
    public boolean seedPerRequest() {
        return true;
    }

    @Override
    public ChatModel build(ProviderSpec spec, Secret key, Integer seed, HttpClientBuilder http, Duration timeout) {
        if (compatible && spec.baseUrl() == null) {
            throw new IllegalArgumentException("provider openai-compatible needs base_url (e.g. http://127.0.0.1:8080/v1)");
        }
        return OpenAiChatModel.builder()
                .baseUrl(spec.baseUrl() != null ? spec.baseUrl() : OPENAI_URL)
                // A compatible server without auth still gets a header; LangChain4j requires a key.
                .apiKey(key != null ? key.reveal() : "none")
                .modelName(spec.model())
                .httpClientBuilder(http)
                .timeout(timeout)
                .maxRetries(0) // our RetryingModel retries, and counts them
                .logRequests(false)
                .logResponses(false)
                .build();
    }

    @Override
    public ChatRequestParameters parameters(ProviderSpec spec, DecodingParams p) {
        OpenAiChatRequestParameters.Builder b = OpenAiChatRequestParameters.builder()
                .modelName(spec.model())
                .temperature(p.temperature())
                .topP(p.topP())
                .frequencyPenalty(p.frequencyPenalty())
                .presencePenalty(p.presencePenalty())
                .stopSequences(ProviderDialect.nullIfEmpty(p.stop()))
                .seed(ProviderDialect.intSeed(p.seed()));
        // Reasoning models refuse max_tokens and take max_completion_tokens instead.
        if (!compatible && isReasoningModel(spec.model())) b.maxCompletionTokens(p.maxTokens());
        else b.maxOutputTokens(p.maxTokens());
        if (compatible) {
            Map<String, Object> extra = new LinkedHashMap<>();
            if (p.topK() != null) extra.put("top_k", p.topK());
            if (p.minP() != null) extra.put("min_p", p.minP());
            if (p.repetitionPenalty() != null) extra.put("repetition_penalty", p.repetitionPenalty());
            if (!extra.isEmpty()) b.customParameters(extra);
        }
        return b.build();
    }

    static boolean isReasoningModel(String model) {
        return model.matches("^(o1|o3|o4|gpt-5)([-.].*)?$");
    }
}
