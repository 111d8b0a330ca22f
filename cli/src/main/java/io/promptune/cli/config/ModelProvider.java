package io.promptune.cli.config;

import io.promptune.providers.LanguageModel;

/**
 * Opens models of one provider named in a config's model.provider. Found with ServiceLoader, so a
 * provider (or a test double) can be added without changing the command line.
 */
public interface ModelProvider {
    String name();

    LanguageModel open(TuneConfig.ModelSpec spec);
}
