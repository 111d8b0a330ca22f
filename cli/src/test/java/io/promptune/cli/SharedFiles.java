package io.promptune.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Test data in the ../shared directory beside the repository (models, vocabularies), found from any working directory. */
final class SharedFiles {
    private SharedFiles() { }

    /** shared/{@code relative} in the nearest ancestor directory that has it, or null when none does. */
    static Path find(String relative) {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path f = p.resolve("shared").resolve(relative);
            if (Files.exists(f)) return f;
        }
        return null;
    }

    /** The stories260K model file {@code name}; the test is skipped when the shared models are absent. */
    static Path stories(String name) {
        Path f = find("models/stories260K/" + name);
        assumeTrue(f != null, "stories260K not present");
        return f;
    }
}
