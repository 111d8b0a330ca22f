package io.promptune.providers;

import io.promptune.providers.cache.CachingModel;
import io.promptune.providers.cache.SqliteResponseCache;
import io.promptune.providers.local.LocalEngineModel;
import io.promptune.providers.remote.ProviderSpec;
import io.promptune.providers.remote.RemoteModels;
import io.promptune.providers.resilience.ResilienceOptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One entry point from a command line or config to a ready model: a GGUF path opens the local
 * engine (with the response cache if one is configured); "provider:model" opens a remote model
 * with retries, rate limits, concurrency and the cache.
 */
public final class Models {
    private Models() { }

    /** @param model a .gguf file, or "provider:model" such as "openai:gpt-4o-mini" */
    public static LanguageModel open(String model, ResilienceOptions options) {
        Path p = Path.of(model);
        if (model.toLowerCase(java.util.Locale.ROOT).endsWith(".gguf") || Files.isRegularFile(p)) {
            if (!Files.isRegularFile(p)) throw new IllegalArgumentException("model file not found: " + p);
            LanguageModel local = LocalEngineModel.load(p);
            return options.cacheFile() == null ? local : new CachingModel(local, SqliteResponseCache.open(options.cacheFile()));
        }
        return open(ProviderSpec.parse(model), options);
    }

    public static LanguageModel open(ProviderSpec spec, ResilienceOptions options) {
        return options.applyTo(RemoteModels.standard().create(spec));
    }
}
