package io.promptune.providers.remote;

import dev.langchain4j.http.client.HttpClientBuilder;
import io.promptune.providers.Secret;
import io.promptune.providers.pricing.ModelPrice;
import io.promptune.providers.pricing.PriceTable;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/** Builds a {@link RemoteChatModel} from a {@link ProviderSpec}: picks the dialect, resolves the key, finds the price. */
public final class RemoteModels {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final Map<String, ProviderDialect> DIALECTS = Map.of(
            "openai", new OpenAiDialect(false),
            "openai-compatible", new OpenAiDialect(true),
            "anthropic", new AnthropicDialect(),
            "gemini", new GeminiDialect(),
            "ollama", new OllamaDialect(),
            "mistral", new MistralDialect());

    private final Map<String, String> env;
    private final PriceTable prices;

    private RemoteModels(Map<String, String> env, PriceTable prices) {
        this.env = env;
        this.prices = prices;
    }

    /** Keys from the process environment, the built-in price table. */
    public static RemoteModels standard() {
        return new RemoteModels(System.getenv(), PriceTable.builtIn());
    }

    public static RemoteModels of(Map<String, String> env, PriceTable prices) {
        return new RemoteModels(env, prices);
    }

    public static java.util.Set<String> providers() {
        return new TreeSet<>(DIALECTS.keySet());
    }

    /** The decoding parameters a provider honours, without building anything (for config checks). */
    public static java.util.Set<String> supportedParameters(String provider) {
        return dialect(provider).supportedParameters();
    }

    public RemoteChatModel create(ProviderSpec spec) {
        return create(spec, RetryAfterAwareHttpClient.builder());
    }

    /** As {@link #create(ProviderSpec)} with a given HTTP client (tests). */
    public RemoteChatModel create(ProviderSpec spec, HttpClientBuilder http) {
        ProviderDialect d = dialect(spec.provider());
        Secret key = resolveKey(spec, d);
        ModelPrice price = spec.price() != null ? spec.price() : priceOf(spec);
        Duration timeout = spec.timeout() != null ? spec.timeout() : DEFAULT_TIMEOUT;
        return new RemoteChatModel(spec, d, key, http, timeout, price);
    }

    private ModelPrice priceOf(ProviderSpec spec) {
        if (spec.provider().equals("ollama")) return ModelPrice.FREE; // runs on your own machine
        Optional<ModelPrice> p = prices.lookup(spec.model());
        return p.orElse(null);
    }

    private Secret resolveKey(ProviderSpec spec, ProviderDialect d) {
        String ref = spec.apiKey() != null ? spec.apiKey() : d.defaultKeyVariable() == null ? null : "env:" + d.defaultKeyVariable();
        if (ref == null) return null;
        try {
            return Secret.resolve(ref, env);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("provider " + spec.provider() + ": " + e.getMessage());
        }
    }

    private static ProviderDialect dialect(String provider) {
        ProviderDialect d = DIALECTS.get(provider);
        if (d == null) {
            throw new IllegalArgumentException("unknown provider '" + provider + "'; known: " + String.join(", ", providers()));
        }
        return d;
    }
}
