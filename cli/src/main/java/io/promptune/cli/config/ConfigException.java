package io.promptune.cli.config;

import io.promptune.cli.Main;

/** A bad config: the message names the file, the line and the key, and says what was expected. */
public final class ConfigException extends Main.UserError {
    public ConfigException(String message) {
        super(message, Main.EXIT_USAGE);
    }
}
