package io.promptune.providers.remote;

import io.promptune.providers.pricing.ModelPrice;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Which remote model to use, as written in a run config. Holds only a reference to the API key
 * ("env:OPENAI_API_KEY"), never the key, so it may be stored with a study.
 *
 * @param provider  openai, openai-compatible, anthropic, gemini, ollama or mistral
 * @param model     the provider's model name
 * @param baseUrl   null for the provider's default
 * @param apiKey    a key reference; null for the provider's default variable (e.g. env:OPENAI_API_KEY)
 * @param price     null to use the price table
 * @param timeout   per-request timeout; null for 60 s
 */
public record ProviderSpec(String provider, String model, String baseUrl, String apiKey, ModelPrice price,
                           Duration timeout) {
    public ProviderSpec {
        Objects.requireNonNull(provider, "provider");
        if (model == null || model.isBlank()) throw new IllegalArgumentException("provider " + provider + ": model is required");
        provider = provider.strip().toLowerCase(java.util.Locale.ROOT);
    }

    /** "openai:gpt-4o-mini", "ollama:llama3.2", "anthropic:claude-3-5-haiku-latest". */
    public static ProviderSpec parse(String providerAndModel) {
        int colon = providerAndModel.indexOf(':');
        if (colon <= 0 || colon == providerAndModel.length() - 1) {
            throw new IllegalArgumentException("model '" + providerAndModel + "' should look like provider:model, e.g. openai:gpt-4o-mini");
        }
        return new ProviderSpec(providerAndModel.substring(0, colon), providerAndModel.substring(colon + 1), null, null, null, null);
    }

    /**
     * From a config map: provider, model, base_url, api_key, timeout_seconds, price {input, output}.
     * Unknown keys and wrongly typed values are refused, naming the field.
     */
    public static ProviderSpec fromMap(Map<String, ?> m) {
        for (String k : m.keySet()) {
            if (!java.util.Set.of("provider", "model", "base_url", "api_key", "timeout_seconds", "price").contains(k)) {
                throw new IllegalArgumentException("model config: unknown field '" + k
                        + "' (expected provider, model, base_url, api_key, timeout_seconds, price)");
            }
        }
        ModelPrice price = null;
        if (m.get("price") instanceof Map<?, ?> p) {
            price = new ModelPrice(number(p, "input", "price.input"), number(p, "output", "price.output"));
        } else if (m.get("price") != null) {
            throw new IllegalArgumentException("model config: price should be {input: USD per million tokens, output: ...}");
        }
        Duration timeout = m.get("timeout_seconds") == null ? null
                : Duration.ofMillis((long) (number(m, "timeout_seconds", "timeout_seconds") * 1000));
        return new ProviderSpec(string(m, "provider"), string(m, "model"), string(m, "base_url"), string(m, "api_key"),
                price, timeout);
    }

    private static String string(Map<String, ?> m, String key) {
        Object v = m.get(key);
        if (v == null) return null;
        if (!(v instanceof String s)) throw new IllegalArgumentException("model config: " + key + " should be a string, got " + v);
        return s;
    }

    private static double number(Map<?, ?> m, String key, String field) {
        Object v = m.get(key);
        if (!(v instanceof Number n)) throw new IllegalArgumentException("model config: " + field + " should be a number, got " + v);
        return n.doubleValue();
    }

    /** The id used in caches and reports, e.g. "openai:gpt-4o-mini" (plus the base URL when it is not the default). */
    public String id() {
        return provider + ":" + model + (baseUrl == null ? "" : "@" + baseUrl);
    }
}
