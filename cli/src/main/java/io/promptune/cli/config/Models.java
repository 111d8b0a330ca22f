package io.promptune.cli.config;

import io.promptune.cli.DefaultModel;
import io.promptune.cli.Main;
import io.promptune.localmodel.gguf.GgufException;
import io.promptune.providers.LanguageModel;
import io.promptune.providers.local.LocalEngineModel;
import io.promptune.providers.pricing.ModelPrice;
import io.promptune.providers.remote.ProviderSpec;
import io.promptune.providers.remote.RemoteModels;
import io.promptune.providers.resilience.ResilienceOptions;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Opens the model a config names: the default or a local GGUF file, or a remote provider. */
public final class Models {
    private Models() { }

    public static LanguageModel open(TuneConfig.ModelSpec spec, PrintStream log) {
        if (spec.provider() != null) {
            List<String> known = new ArrayList<>(RemoteModels.providers());
            for (ModelProvider p : ServiceLoader.load(ModelProvider.class)) {
                if (p.name().equalsIgnoreCase(spec.provider())) return p.open(spec);
                known.add(p.name());
            }
            if (!RemoteModels.providers().contains(spec.provider().toLowerCase(java.util.Locale.ROOT))) {
                throw new Main.UserError("model.provider: no provider named '" + spec.provider() + "'; available: "
                        + String.join(", ", known), Main.EXIT_USAGE);
            }
            return remote(spec);
        }
        Path file = spec.path().equals("default") ? DefaultModel.ensure(log) : Path.of(spec.path());
        if (!Files.isRegularFile(file)) {
            throw new Main.UserError("model.path: no model file at " + file + "; give a .gguf file or \"default\"", Main.EXIT_MISSING);
        }
        return local(file);
    }

    /** A remote model with retries, rate and concurrency limits; the key is read from the named variable, never stored. */
    private static LanguageModel remote(TuneConfig.ModelSpec spec) {
        ModelPrice price = spec.priceInputPerMillion() != null && spec.priceOutputPerMillion() != null
                ? new ModelPrice(spec.priceInputPerMillion(), spec.priceOutputPerMillion()) : null;
        try {
            ProviderSpec ps = new ProviderSpec(spec.provider(), spec.name(), spec.baseUrl(),
                    spec.apiKeyEnv() == null ? null : "env:" + spec.apiKeyEnv(), price, null);
            ResilienceOptions d = ResilienceOptions.defaults();
            ResilienceOptions r = new ResilienceOptions(d.maxAttempts(), d.requestsPerMinute(), d.tokensPerMinute(),
                    spec.concurrency() == null ? d.maxConcurrency() : spec.concurrency(), d.cacheFile());
            return r.applyTo(RemoteModels.standard().create(ps));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new Main.UserError("model: " + e.getMessage(), Main.EXIT_MISSING);
        }
    }

    /** The in-repo engine behind LanguageModel (the providers module's adapter: chat template, batches, prefix reuse). */
    private static LanguageModel local(Path file) {
        try {
            return LocalEngineModel.load(file);
        } catch (GgufException e) {
            throw new Main.UserError("model.path: " + e.getMessage(), Main.EXIT_USAGE);
        }
    }
}
