package io.promptune.providers.remote;

import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import io.promptune.providers.DecodingParams;
import io.promptune.providers.Secret;

import java.time.Duration;
import java.util.Set;

/**
 * What one remote provider needs: how to build its LangChain4j chat model, which decoding
 * parameters it honours, and how ours map onto its request parameters. LangChain4j throws on some
 * parameters (top_k on OpenAI and Mistral, penalties on Anthropic and Ollama); a dialect lists only
 * what really reaches the provider so that a search space is checked before trial 1.
 */
interface ProviderDialect {
    String name();

    /** The environment variable that holds the key when the config names none; null if no key is needed. */
    String defaultKeyVariable();

    Set<String> supportedParameters();

    /**
     * True when the seed goes in each request; false when LangChain4j only takes it when building
     * the model (Gemini, Mistral), in which case the adapter keeps one model per seed.
     */
    boolean seedPerRequest();

    /** @param seed the seed for dialects without a per-request seed, else null */
    ChatModel build(ProviderSpec spec, Secret key, Integer seed, HttpClientBuilder http, Duration timeout);

    ChatRequestParameters parameters(ProviderSpec spec, DecodingParams p);

    /** LangChain4j takes int seeds; a long seed is folded so equal seeds stay equal. */
    static Integer intSeed(Long seed) {
        if (seed == null) return null;
        return seed == (int) (long) seed ? (int) (long) seed : (int) (seed ^ (seed >>> 32));
    }

    static <T> java.util.List<T> nullIfEmpty(java.util.List<T> l) {
        return l == null || l.isEmpty() ? null : l;
    }
}
