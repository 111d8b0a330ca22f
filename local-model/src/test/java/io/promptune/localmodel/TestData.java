package io.promptune.localmodel;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates test data in the shared folder next to the repository (skips when absent) and the default model. */
public final class TestData {
    private TestData() { }

    /** {@code shared/<relative>}, found by walking up from the working directory; skips the test when absent. */
    public static Path shared(String relative) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve(relative);
            if (Files.exists(candidate)) return candidate;
        }
        Assumptions.abort("test data shared/" + relative + " not found");
        return null;
    }

    /** The default model in the user cache; skips the test when absent. */
    public static Path defaultModel() {
        String env = System.getenv("PROMPTUNE_CACHE");
        Path base = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "promptune");
        Path p = base.resolve("models").resolve("SmolLM2-135M-Instruct.Q4_1.gguf");
        Assumptions.assumeTrue(Files.isRegularFile(p), "default model not present at " + p);
        return p;
    }
}
