package io.promptune.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerateCommandTest {
    @RegisterExtension
    final CapturedStdStreams streams = new CapturedStdStreams();
    private final ByteArrayOutputStream out = streams.out, err = streams.err;
    private InputStream oldIn;

    @BeforeEach
    void saveStdin() {
        oldIn = System.in;
    }

    @AfterEach
    void restoreStdin() {
        System.setIn(oldIn);
    }


    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void greedyCompletionIsLlamaCppsTextAndNothingElse() throws Exception {
        Path model = SharedFiles.stories("stories260K-Q8_0.gguf");
        JsonNode ref = null;
        for (JsonNode e : new ObjectMapper().readTree(model.resolveSibling("greedy-reference.json").toFile())) {
            if (e.get("model").asText().equals("stories260K-Q8_0.gguf") && e.get("prompt").asText().equals("Once upon a time")) ref = e;
        }
        int code = Main.run("generate", "--model", model.toString(), "--prompt", "Once upon a time", "--temperature", "0",
                "--max-tokens", "48", "--threads", "2");
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        assertEquals(ref.get("text").asText() + System.lineSeparator(), stdout());
    }

    @Test
    void stopSequenceCutsTheOutput() {
        Path model = SharedFiles.stories("stories260K-Q8_0.gguf");
        // llama.cpp's greedy text starts " Ieel unfolding ..."; stop at "unfold"
        assertEquals(0, Main.run("generate", "--model", model.toString(), "--prompt", "Once upon a time", "--temperature", "0",
                "--max-tokens", "48", "--stop", "unfold"));
        assertEquals(" Ieel " + System.lineSeparator(), stdout());
    }

    @Test
    void sameSeedSameOutputDifferentSeedUsuallyDifferent() {
        Path model = SharedFiles.stories("stories260K-f32.gguf");
        String[] args = {"generate", "--model", model.toString(), "--prompt", "Tom and Lily", "--temperature", "1.0",
                "--top-k", "0", "--top-p", "1", "--min-p", "0", "--max-tokens", "32", "--seed", "7"};
        assertEquals(0, Main.run(args));
        String first = stdout();
        out.reset();
        assertEquals(0, Main.run(args));
        assertEquals(first, stdout());
        out.reset();
        args[args.length - 1] = "8";
        assertEquals(0, Main.run(args));
        assertNotEquals(first, stdout());
    }

    @Test
    void badInputIsAClearUsageError() {
        assertEquals(Main.EXIT_USAGE, Main.run("generate", "--model", "/nonexistent/model.gguf", "--prompt", "x"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("/nonexistent/model.gguf"), err.toString(StandardCharsets.UTF_8));
        Path model = SharedFiles.stories("stories260K-Q8_0.gguf");
        assertEquals(Main.EXIT_USAGE, Main.run("generate", "--model", model.toString(), "--prompt", "x", "--top-p", "2"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("top-p"));
        assertEquals(Main.EXIT_USAGE, Main.run("generate", "--model", model.toString()));
        assertEquals("", stdout());
    }

    @Test
    void contextOverflowIsReported() {
        Path model = SharedFiles.stories("stories260K-Q8_0.gguf"); // context length 128
        assertEquals(Main.EXIT_USAGE, Main.run("generate", "--model", model.toString(), "--prompt", "Once upon a time ".repeat(60)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("context"), err.toString(StandardCharsets.UTF_8));
    }
}
