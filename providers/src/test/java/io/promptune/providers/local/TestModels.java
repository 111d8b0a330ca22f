package io.promptune.providers.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds /work/shared-style test data by walking up from the module directory; empty when absent. */
final class TestModels {
    private TestModels() { }

    static Optional<Path> shared(String relative) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve(relative);
            if (Files.exists(candidate)) return Optional.of(candidate);
        }
        return Optional.empty();
    }
}
