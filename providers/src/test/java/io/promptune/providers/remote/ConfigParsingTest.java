package io.promptune.providers.remote;

import io.promptune.providers.pricing.ModelPrice;
import io.promptune.providers.pricing.PriceTable;
import io.promptune.providers.resilience.ResilienceOptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class ConfigParsingTest {
    @Test
    void providerSpecFromConfig() {
        ProviderSpec s = ProviderSpec.fromMap(Map.of("provider", "OpenAI", "model", "gpt-4o-mini", "api_key", "env:K",
                "timeout_seconds", 2.5, "price", Map.of("input", 1, "output", 2.5)));
        assertEquals("openai", s.provider());
        assertEquals(new ModelPrice(1, 2.5), s.price());
        assertEquals(Duration.ofMillis(2500), s.timeout());
        assertEquals("openai:gpt-4o-mini", s.id());
        assertEquals(ProviderSpec.parse("ollama:llama3.2").model(), "llama3.2");
    }

    @Test
    void badConfigNamesTheField() {
        assertMessage(() -> ProviderSpec.fromMap(Map.of("provider", "openai", "model", "m", "temprature", 1)), "temprature");
        assertMessage(() -> ProviderSpec.fromMap(Map.of("provider", "openai", "model", 3)), "model should be a string");
        assertMessage(() -> ProviderSpec.fromMap(Map.of("provider", "openai", "model", "m", "price", Map.of("input", "cheap", "output", 1))),
                "price.input");
        assertMessage(() -> ProviderSpec.parse("gpt-4o"), "provider:model");
        assertMessage(() -> RemoteModels.of(Map.of(), PriceTable.builtIn()).create(ProviderSpec.parse("cohere:command")), "unknown provider 'cohere'");
        assertMessage(() -> RemoteModels.of(Map.of(), PriceTable.builtIn()).create(ProviderSpec.parse("openai:gpt-4o")), "OPENAI_API_KEY");
        assertMessage(() -> ResilienceOptions.fromMap(Map.of("retries", 3)), "retries");
        assertMessage(() -> ResilienceOptions.fromMap(Map.of("max_concurrency", -1)), "max_concurrency");
    }

    @Test
    void resilienceOptionsFromConfig() {
        ResilienceOptions o = ResilienceOptions.fromMap(Map.of("max_attempts", 3, "requests_per_minute", 60, "cache", "c.sqlite"));
        assertEquals(3, o.maxAttempts());
        assertEquals(60, o.requestsPerMinute());
        assertEquals(8, o.maxConcurrency());
        assertEquals(Path.of("c.sqlite"), o.cacheFile());
    }

    @Test
    void eachProviderListsWhatReallyReachesIt() {
        assertFalse(RemoteModels.supportedParameters("openai").contains("top_k"));
        assertFalse(RemoteModels.supportedParameters("mistral").contains("top_k"));
        assertTrue(RemoteModels.supportedParameters("anthropic").contains("top_k"));
        assertFalse(RemoteModels.supportedParameters("anthropic").contains("seed"));
        assertFalse(RemoteModels.supportedParameters("ollama").contains("frequency_penalty"));
        assertTrue(RemoteModels.supportedParameters("ollama").containsAll(Set.of("min_p", "repetition_penalty", "seed")));
        assertTrue(RemoteModels.supportedParameters("gemini").contains("seed"));
        assertTrue(RemoteModels.supportedParameters("openai-compatible").contains("top_k"));
    }

    @Test
    void everyProviderBuildsFromASpecWithoutTouchingTheNetwork() {
        Map<String, String> env = Map.of("OPENAI_API_KEY", "k1", "ANTHROPIC_API_KEY", "k2", "GEMINI_API_KEY", "k3", "MISTRAL_API_KEY", "k4");
        RemoteModels f = RemoteModels.of(env, PriceTable.builtIn());
        for (String p : Set.of("openai", "anthropic", "gemini", "mistral", "ollama")) {
            var m = f.create(new ProviderSpec(p, "some-model", "http://127.0.0.1:9", null, null, null));
            assertEquals(RemoteModels.supportedParameters(p), m.supportedParameters());
            assertFalse(m.toString().matches(".*k[1-4]\\b.*"), m.toString());
        }
    }

    private static void assertMessage(Runnable r, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
