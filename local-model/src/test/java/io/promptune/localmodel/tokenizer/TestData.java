package io.promptune.localmodel.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Locates the shared test data (../shared beside the repository) and the default model, if present. */
public final class TestData {
    private TestData() {}

    /** The shared directory, found by walking up from the working directory. */
    public static Optional<Path> shared() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path s = p.resolve("shared");
            if (Files.isDirectory(s.resolve("models"))) return Optional.of(s);
        }
        return Optional.empty();
    }

    public static Optional<Path> vocabDir() {
        return shared().map(s -> s.resolve("models/vocab")).filter(Files::isDirectory);
    }

    public static Optional<Path> chatTemplatesDir() {
        return shared().map(s -> s.resolve("models/chat-templates")).filter(Files::isDirectory);
    }

    /** The default model in the user's cache (SmolLM2-135M-Instruct Q4_1), if fetched. */
    public static Optional<Path> defaultModel() {
        Path p = Path.of(System.getProperty("user.home"), ".cache", "promptune", "models", "SmolLM2-135M-Instruct.Q4_1.gguf");
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }
}
